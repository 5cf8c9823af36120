/**
 * A local stand-in for a drand chain's HTTP API (the sandbox has no Internet): `/info` and
 * `/public/<round>`, a round being served only once its time has come, as drand does. Its
 * randomness is SHA-256("stand-in round " ‖ round): unknown to the edge before the round exists in
 * the sense that matters for the tests, which only need a beacon the edge must wait for.
 */
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface DrandStandIn {
  url: string;
  info: { genesis_time: number; period: number };
  randomnessOf(round: number): string;
  /** rounds asked for, in order */
  asked: number[];
  close(): Promise<void>;
}

export async function startDrandStandIn(period = 1): Promise<DrandStandIn> {
  const info = { genesis_time: Math.floor(Date.now() / 1000) - 30, period };
  const randomnessOf = (round: number): string => createHash('sha256').update(`stand-in round ${round}`).digest('hex');
  const asked: number[] = [];
  const server = createServer((req, res) => {
    const reply = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/info') return reply(200, { ...info, hash: 'stand-in', public_key: '', schemeID: 'stand-in' });
    const m = /^\/public\/(\d+)$/.exec(req.url ?? '');
    if (!m) return reply(404, { error: 'not found' });
    const round = Number(m[1]);
    asked.push(round);
    if ((info.genesis_time + (round - 1) * period) * 1000 > Date.now()) return reply(425, { error: 'round not yet emitted' });
    return reply(200, { round, randomness: randomnessOf(round), signature: '' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    info, randomnessOf, asked,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
