import { describe, it, expect } from 'vitest';
import { FanRegistry, PendingJoins, type FanData, type FanSocket } from './fan-registry.js';

/** A stand-in for a uWS socket: its userData, its topics, and whether the edge ended it. */
function fakeSocket(saleId: string, joinBy: number): FanSocket & { topics: string[]; ended: boolean } {
  const data: FanData = { saleId, visitorId: null, joining: false, closed: false, admittedSent: false, pending: { ip: '127.0.0.1', challenge: 'c', powDifficulty: 0, joinBy } };
  const ws = { topics: [] as string[], ended: false, getUserData: () => data, subscribe: (t: string) => ws.topics.push(t) > 0 };
  return ws as unknown as FanSocket & { topics: string[]; ended: boolean };
}

function joined(registry: FanRegistry, ws: FanSocket, visitorId: string): void {
  ws.getUserData().visitorId = visitorId;
  ws.getUserData().pending = null;
  registry.add(ws, visitorId);
}

describe('the fan registry', () => {
  it('keeps one socket per visitor without a set, several tabs in an array, and forgets them as they close', () => {
    const registry = new FanRegistry();
    const [a, b, c] = [fakeSocket('s1', 0), fakeSocket('s1', 0), fakeSocket('s1', 0)];
    joined(registry, a, 'v1');
    const room = registry.rooms.get('s1')!;
    expect(room.fans.get('v1')).toBe(a);
    expect(a.topics).toEqual(['sale/s1']);
    joined(registry, b, 'v1');
    joined(registry, c, 'v2');
    expect(room.socketsOf('v1')).toEqual([a, b]);
    expect(room.socketsOf('v2')).toEqual([c]);
    expect(room.socketsOf('nobody')).toEqual([]);
    expect([room.connected, registry.total]).toEqual([3, 3]);
    registry.remove(a, 'v1');
    expect(room.fans.get('v1')).toBe(b);
    registry.remove(a, 'v1'); // twice: no effect
    expect([room.connected, registry.total]).toEqual([2, 2]);
    registry.remove(b, 'v1');
    expect(room.fans.has('v1')).toBe(false);
    expect([room.connected, registry.total]).toEqual([1, 1]);
  });

  it('shares one sale id string among the sockets of a room', () => {
    const registry = new FanRegistry();
    registry.room('sale-x');
    const fromUrl = ['sale', 'x'].join('-'); // a fresh string, as each upgrade's parameter is
    expect(registry.saleIdOf(fromUrl)).toBe(registry.rooms.get('sale-x')!.saleId);
    expect(registry.saleIdOf('other')).toBe('other');
  });

  it('lists every open socket once for the drain: the ones still to join and the joined ones', () => {
    const registry = new FanRegistry();
    const [waiting, done, gone] = [fakeSocket('s1', 10), fakeSocket('s1', 10), fakeSocket('s1', 10)];
    for (const ws of [waiting, done, gone]) registry.pendingJoins.add(ws);
    joined(registry, done, 'v1');
    gone.getUserData().closed = true;
    expect([...registry.sockets()]).toEqual([waiting, done]);
  });
});

describe('the join deadline sweep', () => {
  it('ends sockets past their deadline that neither joined nor closed, in one pass over the oldest', () => {
    const joins = new PendingJoins();
    const sockets = [5, 10, 10, 20].map((joinBy) => fakeSocket('s', joinBy));
    for (const ws of sockets) joins.add(ws);
    sockets[1]!.getUserData().visitorId = 'v'; // joined
    sockets[1]!.getUserData().pending = null;
    sockets[2]!.getUserData().closed = true;
    const ended: FanSocket[] = [];
    joins.sweep(4, (ws) => ended.push(ws));
    expect(ended).toEqual([]);
    expect(joins.size).toBe(4);
    joins.sweep(10, (ws) => ended.push(ws));
    expect(ended).toEqual([sockets[0]]);
    expect(joins.size).toBe(1);
    expect([...joins.open()]).toEqual([sockets[3]]);
    joins.sweep(20, (ws) => ended.push(ws));
    expect(ended).toEqual([sockets[0], sockets[3]]);
    expect(joins.size).toBe(0);
  });

  it('compacts its queue as it goes', () => {
    const joins = new PendingJoins();
    for (let i = 0; i < 5000; i++) joins.add(fakeSocket('s', i));
    let ended = 0;
    for (let t = 0; t <= 5000; t += 100) joins.sweep(t, () => ended++);
    expect(ended).toBe(5000);
    expect(joins.size).toBe(0);
  });
});
