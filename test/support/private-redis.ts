/**
 * A redis-server of one test file's own (scripts/services.ts, a free port, its own data folder),
 * for outage tests: stopping it breaks nothing else in the suite. `restart()` brings it back on
 * the same port with the same data, as a restarted Redis would come back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startRedis, type RunningService } from '../../scripts/services.js';

export interface PrivateRedis {
  readonly url: string;
  stop(): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startPrivateRedis(name: string): Promise<PrivateRedis> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `usher-${name}-`));
  let server: RunningService = await startRedis({ dataDir });
  const { url, port } = server;
  return {
    url,
    stop: () => server.stop(),
    async restart() {
      server = await startRedis({ dataDir, port });
    },
    async close() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
