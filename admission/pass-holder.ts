/**
 * Within its shopping window a pass may release its hold and hold again (another section, other
 * seats); it still has at most one live hold at a time. The inventory places a pass's hold once
 * per holder id, converging concurrent requests on one hold, so each new hold after a release
 * needs a fresh holder: the pass's jti for its first hold, `<jti>-r<n>` after its n-th release.
 * The lease stays the pass's (its jti): releasing does not end the turn.
 *
 * Pass jtis are UUIDs (admission-pass.ts), which never end in `-r<digits>`, so the pass of a
 * holder is unambiguous.
 */
const RELEASE_SUFFIX = /-r([1-9]\d{0,3})$/;

export function holderOf(jti: string, releases: number): string {
  return releases > 0 ? `${jti}-r${releases}` : jti;
}

/** The pass (jti) a hold's holder belongs to. */
export function passOf(holder: string): string {
  return holder.replace(RELEASE_SUFFIX, '');
}
