import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { CpuMeter, processTree } from './cpu-split.js';

async function until<T>(value: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = value();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('processTree and CpuMeter', () => {
  it('finds a child and its grandchild, and counts their CPU', async () => {
    // a process whose own child burns CPU for 2.5 s
    const burner = `const t = Date.now(); while (Date.now() - t < 8000) {}`;
    const parent = `require('child_process').spawn(process.execPath, ['-e', ${JSON.stringify(burner)}], { stdio: 'ignore' }); setTimeout(() => {}, 10000);`;
    const child = spawn(process.execPath, ['-e', parent], { stdio: 'ignore' });
    try {
      // Poll, not sleep: on a busy machine the grandchild can take seconds to appear and burn.
      const tree = await until(() => {
        const t = processTree(child.pid!);
        return t.length >= 2 ? t : undefined;
      });
      expect(tree[0]).toBe(child.pid);
      const meter = new CpuMeter(tree);
      expect(await until(() => meter.read().servers || undefined)).toBeGreaterThan(0);
    } finally {
      for (const pid of processTree(child.pid!).reverse()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  });
});
