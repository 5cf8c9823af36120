/**
 * The client address every rate limit counts by, decided one way for the API and the edge: the
 * first X-Forwarded-For hop only when TRUST_PROXY says a proxy in front sets it (otherwise a
 * client could pick its own address per request), else the socket's peer. Bounded, so a forged
 * header cannot make one limit key arbitrarily long.
 */
export const UNKNOWN_ADDRESS = 'unknown';
const MAX_LENGTH = 64;

export function clientAddress(forwardedFor: string | undefined, peer: string | undefined, trustProxy: boolean): string {
  if (trustProxy) {
    const first = forwardedFor?.split(',')[0]?.trim();
    if (first) return first.slice(0, MAX_LENGTH);
  }
  return peer ? peer.slice(0, MAX_LENGTH) : UNKNOWN_ADDRESS;
}
