/**
 * A standalone verifier of a sale's opening draw: `npm run verify:draw -- <sale> [--edge URL]
 * [--beacon URL] [--offline] [--me <hashed id>] [--json]`. It fetches only what the edge publishes
 * (`GET /v1/sales/<sale>/draw`) and, unless --offline, the beacon round from the beacon itself, and
 * recomputes every position from the specification in queue-edge/README.md ("A draw anyone can
 * verify"). On purpose it imports no Usher code: it is a second implementation of the spec, so a
 * fault in the edge's cannot hide behind a shared one. Exit code 0: verified; 1: a check failed;
 * 2: not revealed yet (what is published so far is printed).
 */
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';

const VERSION = 'usher-draw-v1';

export interface PublishedDraw {
  version: string;
  saleId: string;
  state: 'prequeue' | 'committed' | 'revealed';
  closesAt: number;
  count: number | null;
  commitment: string | null;
  committedAt: number | null;
  beacon: { kind: string; url?: string; round?: number; roundAt?: number; delayS?: number; reason?: string } | null;
  reveal: { kind: string; url?: string; round?: number; randomness: string; reason?: string } | null;
  seed: string | null;
  firstTicket: number | null;
  members: string[] | null;
}

export interface Verification {
  ok: boolean;
  problems: string[];
  warnings: string[];
  /** position p (0-based) → the hashed id drawn there and its ticket */
  positions: { position: number; ticket: number; hashedId: string }[];
}

const sha256 = (...parts: (string | Buffer)[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** The spec's rejection rule: a word w is used only if w < 2^32 − (2^32 mod n); the result is w mod n. */
export function uniformBelow(n: number, nextWord: () => number): number {
  const TWO32 = 2 ** 32;
  const limit = TWO32 - (TWO32 % n);
  let w = nextWord();
  while (w >= limit) w = nextWord();
  return w % n;
}

/** The spec's permutation: Fisher–Yates from the end, words from SHA-256(seed ‖ u64be counter), rejection sampling. */
export function drawOrder(sortedIds: readonly string[], seedHex: string): string[] {
  const seed = Buffer.from(seedHex, 'hex');
  const out = [...sortedIds];
  let counter = 0n;
  const words: number[] = [];
  const nextWord = (): number => {
    if (words.length === 0) {
      const c = Buffer.alloc(8);
      c.writeBigUInt64BE(counter++);
      const block = sha256(seed, c);
      for (let o = 0; o < 32; o += 4) words.push(block.readUInt32BE(o));
    }
    return words.shift()!;
  };
  for (let i = out.length - 1; i >= 1; i--) {
    const j = uniformBelow(i + 1, nextWord);
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}

export function hashedId(saleId: string, visitorId: string): string {
  return sha256(`${VERSION}:visitor:${saleId}:${visitorId}`).toString('hex');
}

export function commitmentOf(sortedIds: readonly string[]): string {
  return sha256(sortedIds.map((id) => `${id}\n`).join('')).toString('hex');
}

export function seedOf(commitmentHex: string, randomnessHex: string): string {
  return sha256(`${VERSION}:seed:`, Buffer.from(commitmentHex, 'hex'), Buffer.from(randomnessHex, 'hex')).toString('hex');
}

type Fetch = typeof globalThis.fetch;

async function getJson(fetchFn: Fetch, url: string): Promise<unknown> {
  const res = await fetchFn(url, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

/** Checks a published draw; `beaconUrl` overrides where the beacon round is re-fetched (null: offline). */
export async function verifyDraw(d: PublishedDraw, o: { beaconUrl?: string | null; fetch?: Fetch } = {}): Promise<Verification> {
  const problems: string[] = [];
  const warnings: string[] = [];
  const fail = (m: string): Verification => ({ ok: false, problems: [...problems, m], warnings, positions: [] });
  if (d.version !== VERSION) return fail(`unknown draw version ${d.version}`);
  if (d.state !== 'revealed' || !d.members || !d.seed || !d.commitment || !d.reveal || d.firstTicket === null) return fail(`not revealed yet (state ${d.state})`);
  const members = d.members;
  if (members.length !== d.count) problems.push(`${members.length} hashed ids published, count was ${d.count}`);
  members.forEach((m, i) => {
    if (!/^[0-9a-f]{64}$/.test(m)) problems.push(`member ${i} is not 64 lowercase hex digits`);
    if (i > 0 && !(members[i - 1]! < m)) problems.push(`members not strictly ascending at ${i}`);
  });
  if (commitmentOf(members) !== d.commitment) problems.push('the published list does not match the commitment made when the pre-queue closed');

  const r = d.reveal;
  if (r.kind === 'drand') {
    const b = d.beacon;
    if (b?.kind !== 'drand' || b.round !== r.round || b.url !== r.url) problems.push('the beacon round used is not the one fixed at the commit');
    else {
      const source = o.beaconUrl === undefined ? b.url! : o.beaconUrl;
      if (source === null) warnings.push(`beacon round ${b.round} not re-fetched (--offline): its randomness is taken as published`);
      else {
        const fetchFn = o.fetch ?? globalThis.fetch;
        const info = (await getJson(fetchFn, `${source}/info`)) as { genesis_time: number; period: number };
        const round = Math.max(1, Math.ceil((d.closesAt / 1000 + (b.delayS ?? 0) - info.genesis_time) / info.period) + 1);
        if (round !== b.round) problems.push(`round ${b.round} is not the first at or after the close + ${b.delayS} s (that is ${round})`);
        const roundAt = (info.genesis_time + (b.round! - 1) * info.period) * 1000;
        if (d.committedAt === null || roundAt <= d.committedAt) problems.push(`the commitment (${d.committedAt}) is not older than round ${b.round} (${roundAt})`);
        const value = (await getJson(fetchFn, `${source}/public/${b.round}`)) as { randomness: string };
        if (value.randomness !== r.randomness) problems.push(`beacon round ${b.round}'s randomness differs from the one used`);
      }
    }
  } else {
    warnings.push(`no public beacon (${r.kind}: ${r.reason ?? ''}): the draw is reproducible, but its seed was chosen by the operator's edge`);
  }
  if (seedOf(d.commitment, r.randomness) !== d.seed) problems.push('the seed is not SHA-256 of the commitment and the beacon randomness');

  const positions = drawOrder(members, d.seed).map((hashed, position) => ({ position, ticket: d.firstTicket! + position, hashedId: hashed }));
  return { ok: problems.length === 0, problems, warnings, positions };
}

function argsOf(argv: string[]): { sale: string; edge: string; beacon: string | null | undefined; me?: string; json: boolean } {
  const sale = argv.find((a, i) => !a.startsWith('--') && !['--edge', '--beacon', '--me'].includes(argv[i - 1] ?? ''));
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  if (!sale) throw new Error('usage: npm run verify:draw -- <sale> [--edge URL] [--beacon URL] [--offline] [--me <hashed id>] [--json]');
  return {
    sale,
    edge: (value('--edge') ?? process.env.PUBLIC_EDGE_URL ?? 'http://127.0.0.1:9001').replace(/\/$/, ''),
    beacon: argv.includes('--offline') ? null : value('--beacon'),
    me: value('--me'),
    json: argv.includes('--json'),
  };
}

async function main(): Promise<number> {
  const a = argsOf(process.argv.slice(2));
  const d = (await getJson(globalThis.fetch, `${a.edge}/v1/sales/${encodeURIComponent(a.sale)}/draw`)) as PublishedDraw;
  if (d.state !== 'revealed') {
    process.stdout.write(`${JSON.stringify({ state: d.state, count: d.count, commitment: d.commitment, beacon: d.beacon }, null, 2)}\nnot revealed yet\n`);
    return 2;
  }
  const v = await verifyDraw(d, { beaconUrl: a.beacon });
  if (a.json) process.stdout.write(`${JSON.stringify(v)}\n`);
  else {
    for (const w of v.warnings) process.stdout.write(`warning: ${w}\n`);
    for (const p of v.problems) process.stdout.write(`FAILED: ${p}\n`);
    if (a.me) {
      const mine = v.positions.find((p) => p.hashedId === a.me);
      process.stdout.write(mine ? `${a.me}: position ${mine.position}, ticket ${mine.ticket}\n` : `${a.me} is not in this draw\n`);
    }
    process.stdout.write(v.ok ? `verified: ${v.positions.length} positions, tickets ${d.firstTicket}–${d.firstTicket! + v.positions.length - 1}, seed ${d.seed}\n` : 'the draw does NOT verify\n');
  }
  return v.ok ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then((code) => process.exit(code), (err: unknown) => {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  });
}
