/**
 * The primary of a benchmark server: forks `workers` cluster workers sharing one port, tells the
 * bench `{ event: 'ready', pids }` once each has said 'ready', and takes them down on SIGTERM.
 */
import cluster from 'node:cluster';

export function forkBenchWorkers(workers: number): void {
  const pids: number[] = [];
  for (let i = 0; i < workers; i++) {
    const w = cluster.fork();
    w.once('message', (m) => {
      if (m === 'ready') {
        pids.push(w.process.pid!);
        if (pids.length === workers) process.send?.({ event: 'ready', pids });
      }
    });
  }
  process.on('SIGTERM', () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.kill();
    process.exit(0);
  });
}
