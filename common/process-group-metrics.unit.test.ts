/**
 * The parent's side of process-group metrics with stand-in members (the IPC end to end, with real
 * processes, is in scripts/start.test.ts and queue-edge/edge-launcher.test.ts): a scrape of the
 * parent, or a member's request, is answered with every member's registry summed, and a member
 * that never answers delays the answer but does not block it.
 */
import { EventEmitter } from 'node:events';
import { Counter, Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createMetricsGroup, type GroupMember } from './process-group-metrics.js';

class StandIn extends EventEmitter implements GroupMember {
  readonly sent: Record<string, unknown>[] = [];
  constructor(private readonly registry: Registry | null) {
    super();
  }
  send(message: { type: string; id: number }): boolean {
    this.sent.push(message);
    if (message.type === 'usher:metrics-json-request' && this.registry) {
      void this.registry.getMetricsAsJSON().then((metrics) => this.emit('message', { type: 'usher:metrics-json-answer', id: message.id, metrics }));
    }
    return true;
  }
  answer(): Promise<Record<string, unknown>> {
    return new Promise((resolve) => {
      const poll = setInterval(() => {
        const a = this.sent.find((m) => m.type === 'usher:metrics-answer');
        if (a) {
          clearInterval(poll);
          resolve(a);
        }
      }, 5);
    });
  }
}

function registryCounting(n: number): Registry {
  const r = new Registry();
  new Counter({ name: 'usher_test_requests_total', help: 'test', registers: [r] }).inc(n);
  return r;
}

describe('process-group metrics', () => {
  it('answers a scrape with the sum of all members as text, and a member that asks as JSON', async () => {
    const group = createMetricsGroup();
    const [a, b] = [new StandIn(registryCounting(3)), new StandIn(registryCounting(4))];
    group.add(a);
    group.add(b);
    const text = await group.text();
    expect(text.contentType).toMatch(/^text\/plain/);
    expect(text.body).toMatch(/^usher_test_requests_total 7$/m);

    b.emit('message', { type: 'usher:metrics-request', id: 8 });
    const json = (await b.answer()) as { id: number; metrics: { name: string; values: { value: number }[] }[] };
    expect(json.id).toBe(8);
    expect(json.metrics.find((m) => m.name === 'usher_test_requests_total')?.values[0]?.value).toBe(7);
  });

  it('answers without a member that stays silent, and forgets removed members', async () => {
    const group = createMetricsGroup();
    const [a, silent, gone] = [new StandIn(registryCounting(2)), new StandIn(null), new StandIn(registryCounting(100))];
    for (const m of [a, silent, gone]) group.add(m);
    group.remove(gone);
    expect((await group.text()).body).toMatch(/^usher_test_requests_total 2$/m);
    expect(gone.sent).toHaveLength(0);
  });

  it("combines a gauge by its own aggregator: a shared figure once ('max'), a per-process one summed", async () => {
    const member = (shared: number, own: number): StandIn => {
      const r = new Registry();
      new Gauge({ name: 'usher_test_sale_length', help: 'test', labelNames: ['sale'], aggregator: 'max', registers: [r] }).set({ sale: 's1' }, shared);
      new Gauge({ name: 'usher_test_sockets', help: 'test', registers: [r] }).set(own);
      return new StandIn(r);
    };
    const group = createMetricsGroup();
    const members = [member(40, 1), member(41, 2), member(40, 3)];
    for (const m of members) group.add(m);
    const { body } = await group.text();
    expect(body).toMatch(/^usher_test_sale_length\{sale="s1"\} 41$/m);
    expect(body).toMatch(/^usher_test_sockets 6$/m);
  });
});
