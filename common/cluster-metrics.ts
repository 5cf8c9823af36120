/**
 * Metrics when several node:cluster processes share one port (API_PROCESSES > 1): a scrape reaches
 * one of them, so its answer must speak for all, or every counter would jump between processes'
 * values and `rate()` would be nonsense. The process that took the scrape asks the primary, which
 * gathers every process's registry through prom-client's AggregatorRegistry (counters and
 * histograms summed; the default process metrics by their own rules) and answers.
 */
import cluster from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import { registry } from './metrics.js';

const REQUEST = 'usher:metrics-request';
const ANSWER = 'usher:metrics-answer';
/** A primary that does not answer (it runs no aggregator) is not waited on for longer. */
const ANSWER_WITHIN_MS = 3000;

interface Answer { type: typeof ANSWER; id: number; body?: string }

let workerSetUp = false;
let nextId = 0;
const waiting = new Map<number, (body: string | undefined) => void>();

function setUpWorker(): void {
  if (workerSetUp) return;
  workerSetUp = true;
  // constructing an AggregatorRegistry makes prom-client answer the primary's requests for this registry
  AggregatorRegistry.setRegistries([registry]);
  new AggregatorRegistry();
  process.on('message', (m: Answer) => {
    if (m?.type !== ANSWER) return;
    waiting.get(m.id)?.(m.body);
    waiting.delete(m.id);
  });
}

/** In a cluster worker: every process's metrics, from the primary (this process's own if it cannot answer). */
export async function clusterMetricsText(): Promise<{ contentType: string; body: string }> {
  const own = async () => ({ contentType: registry.contentType, body: await registry.metrics() });
  if (!cluster.isWorker || !process.send) return own();
  setUpWorker();
  const id = nextId++;
  const body = await new Promise<string | undefined>((resolve) => {
    const timer = setTimeout(() => {
      waiting.delete(id);
      resolve(undefined);
    }, ANSWER_WITHIN_MS);
    waiting.set(id, (b) => {
      clearTimeout(timer);
      resolve(b);
    });
    process.send!({ type: REQUEST, id });
  });
  return body === undefined ? own() : { contentType: registry.contentType, body };
}

/** Workers ask for metrics as soon as they start, so they must be listening for the primary before the first scrape. */
export function prepareClusterWorkerMetrics(): void {
  if (cluster.isWorker) setUpWorker();
}

/** In the primary: answer the workers' requests with the aggregate of all of them. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, m: { type?: string; id?: number }) => {
    if (m?.type !== REQUEST || typeof m.id !== 'number') return;
    const id = m.id;
    aggregator.clusterMetrics().then(
      (body) => worker.send({ type: ANSWER, id, body } satisfies Answer),
      () => worker.send({ type: ANSWER, id } satisfies Answer),
    );
  });
}
