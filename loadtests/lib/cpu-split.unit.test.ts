import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { CpuMeter, processTree } from './cpu-split.js';

describe('processTree and CpuMeter', () => {
  it('finds a child and its grandchild, and counts their CPU', async () => {
    // a process whose own child burns CPU for 2.5 s
    const burner = `const t = Date.now(); while (Date.now() - t < 2500) {}`;
    const parent = `require('child_process').spawn(process.execPath, ['-e', ${JSON.stringify(burner)}], { stdio: 'ignore' }); setTimeout(() => {}, 4000);`;
    const child = spawn(process.execPath, ['-e', parent], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 200));
      const tree = processTree(child.pid!);
      expect(tree[0]).toBe(child.pid);
      expect(tree.length).toBeGreaterThanOrEqual(2);
      const meter = new CpuMeter(tree);
      await new Promise((r) => setTimeout(r, 1500));
      expect(meter.read().servers).toBeGreaterThan(0);
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
