/**
 * Metrics when several processes share one port (API_PROCESSES through node:cluster, EDGE_PROCESSES
 * through uWS): the parent that forked them answers the scrapes on the role's metrics port for all
 * of them, or every counter would jump between processes' values and `rate()` would be nonsense.
 * It asks every member for its registry as JSON over IPC and sums them with prom-client's
 * AggregatorRegistry.aggregate (counters and histograms summed, gauges by their aggregator, the
 * default process metrics by their own rules). A member may ask the parent for the same sum as
 * JSON (the API's dashboard reads its p99s from it, whichever process serves the dashboard).
 */
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue, type Registry } from 'prom-client';
import { registry } from './metrics.js';

type RegistryJson = MetricObjectWithValues<MetricValue<string>>[];
type Message =
  | { type: 'usher:metrics-request'; id: number }
  | { type: 'usher:metrics-answer'; id: number; metrics?: RegistryJson }
  | { type: 'usher:metrics-json-request'; id: number }
  | { type: 'usher:metrics-json-answer'; id: number; metrics: RegistryJson };

/** A member that does not answer (stuck, dying) must not stall the scrape longer than this. */
const ANSWER_WITHIN_MS = 2000;

const isMessage = (m: unknown): m is Message => typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string' && (m as { type: string }).type.startsWith('usher:metrics-');

let joined = false;
let nextAsk = 0;
const asked = new Map<number, (answer: Extract<Message, { type: 'usher:metrics-answer' }> | undefined) => void>();

/** In a member process: answer the parent's requests for this registry, and let the dashboard ask for the group's. */
export function joinMetricsGroup(): void {
  if (joined || !process.send) return;
  joined = true;
  process.on('message', (m: unknown) => {
    if (!isMessage(m)) return;
    if (m.type === 'usher:metrics-json-request') {
      void registry.getMetricsAsJSON().then((metrics) => process.send?.({ type: 'usher:metrics-json-answer', id: m.id, metrics } satisfies Message));
    } else if (m.type === 'usher:metrics-answer') {
      asked.get(m.id)?.(m);
      asked.delete(m.id);
    }
  });
}

function askParent(): Promise<Extract<Message, { type: 'usher:metrics-answer' }> | undefined> {
  const id = nextAsk++;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      asked.delete(id);
      resolve(undefined);
    }, ANSWER_WITHIN_MS * 2);
    asked.set(id, (answer) => {
      clearTimeout(timer);
      resolve(answer);
    });
    process.send!({ type: 'usher:metrics-request', id } satisfies Message);
  });
}

/** The group's metrics as JSON (for the dashboard's p99s) in a member, this process's own otherwise. */
export const groupMetrics = {
  async getMetricsAsJSON(): Promise<RegistryJson> {
    if (!joined || !process.send) return registry.getMetricsAsJSON();
    return (await askParent())?.metrics ?? registry.getMetricsAsJSON();
  },
};

/** A child process or cluster worker, as the parent sees it. */
export interface GroupMember {
  send(message: Message): unknown;
  on(event: 'message', listener: (message: unknown) => void): unknown;
}

export interface MetricsGroup {
  add(member: GroupMember): void;
  remove(member: GroupMember): void;
  /** Every member's registry summed, as Prometheus text: what the role's metrics port answers. */
  text(): Promise<{ contentType: string; body: string }>;
}

/** In the parent: gathers the members' registries for each scrape, and for a member that asks. */
export function createMetricsGroup(): MetricsGroup {
  const members = new Set<GroupMember>();
  let nextId = 0;
  const gathering = new Map<number, (metrics: RegistryJson) => void>();

  function gather(): Promise<Registry> {
    const id = nextId++;
    const targets = [...members];
    const results: RegistryJson[] = [];
    return new Promise<Registry>((resolve) => {
      let settled = false;
      const finish = (): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        gathering.delete(id);
        resolve(AggregatorRegistry.aggregate(results));
      };
      const timer = setTimeout(finish, ANSWER_WITHIN_MS);
      gathering.set(id, (metrics) => {
        results.push(metrics);
        if (results.length === targets.length) finish();
      });
      for (const member of targets) member.send({ type: 'usher:metrics-json-request', id });
      if (targets.length === 0) finish();
    });
  }

  return {
    add(member) {
      members.add(member);
      member.on('message', (m) => {
        if (!isMessage(m)) return;
        if (m.type === 'usher:metrics-json-answer') gathering.get(m.id)?.(m.metrics);
        else if (m.type === 'usher:metrics-request') {
          const { id } = m;
          void gather()
            .then((sum) => sum.getMetricsAsJSON())
            .then(
              (metrics) => member.send({ type: 'usher:metrics-answer', id, metrics }),
              () => member.send({ type: 'usher:metrics-answer', id }),
            );
        }
      });
    },
    remove(member) {
      members.delete(member);
    },
    async text() {
      const sum = await gather();
      return { contentType: sum.contentType, body: await sum.metrics() };
    },
  };
}
