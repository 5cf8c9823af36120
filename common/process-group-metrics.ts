/**
 * Metrics when several processes share one port (API_PROCESSES through node:cluster, EDGE_PROCESSES
 * through uWS): a scrape reaches one of them, so its answer must speak for all, or every counter
 * would jump between processes' values and `rate()` would be nonsense. The process that took the
 * scrape asks its parent over IPC; the parent asks every member for its registry as JSON and sums
 * them with prom-client's AggregatorRegistry.aggregate (counters and histograms summed, the default
 * process metrics by their own rules), then answers.
 */
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue, type Registry } from 'prom-client';
import { registry } from './metrics.js';

type RegistryJson = MetricObjectWithValues<MetricValue<string>>[];
type Format = 'text' | 'json';
type Message =
  | { type: 'usher:metrics-request'; id: number; format: Format }
  | { type: 'usher:metrics-answer'; id: number; body?: string; metrics?: RegistryJson }
  | { type: 'usher:metrics-json-request'; id: number }
  | { type: 'usher:metrics-json-answer'; id: number; metrics: RegistryJson };

/** A member that does not answer (stuck, dying) must not stall the scrape longer than this. */
const ANSWER_WITHIN_MS = 2000;

const isMessage = (m: unknown): m is Message => typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string' && (m as { type: string }).type.startsWith('usher:metrics-');

const own = async (): Promise<{ contentType: string; body: string }> => ({ contentType: registry.contentType, body: await registry.metrics() });

let joined = false;
let nextAsk = 0;
const asked = new Map<number, (answer: Extract<Message, { type: 'usher:metrics-answer' }> | undefined) => void>();

/** In a member process: answer the parent's requests for this registry, and let scrapes ask for the group's. */
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

function askParent(format: Format): Promise<Extract<Message, { type: 'usher:metrics-answer' }> | undefined> {
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
    process.send!({ type: 'usher:metrics-request', id, format } satisfies Message);
  });
}

/** What /metrics answers: the whole group's metrics in a member, this process's own otherwise. */
export async function groupMetricsText(): Promise<{ contentType: string; body: string }> {
  if (!joined || !process.send) return own();
  const body = (await askParent('text'))?.body;
  return body === undefined ? own() : { contentType: registry.contentType, body };
}

/** The same as JSON (for the dashboard's p99s): the group's in a member, this process's own otherwise. */
export const groupMetrics = {
  async getMetricsAsJSON(): Promise<RegistryJson> {
    if (!joined || !process.send) return registry.getMetricsAsJSON();
    return (await askParent('json'))?.metrics ?? registry.getMetricsAsJSON();
  },
};

/** A child process or cluster worker, as the parent sees it. */
export interface GroupMember {
  send(message: Message): unknown;
  on(event: 'message', listener: (message: unknown) => void): unknown;
}

/** In the parent: gathers the members' registries whenever one of them is scraped. */
export function createMetricsGroup(): { add(member: GroupMember): void; remove(member: GroupMember): void } {
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
          const { id, format } = m;
          void gather()
            .then(async (sum) => (format === 'json' ? { metrics: await sum.getMetricsAsJSON() } : { body: await sum.metrics() }))
            .then(
              (answer) => member.send({ type: 'usher:metrics-answer', id, ...answer }),
              () => member.send({ type: 'usher:metrics-answer', id }),
            );
        }
      });
    },
    remove(member) {
      members.delete(member);
    },
  };
}
