/**
 * package.json and package-lock.json in step: `npm ci` (scripts, Dockerfile) installs the lock
 * exactly and refuses one that drifted, but only when it runs; this fails the suite as soon as
 * someone edits one file without the other.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
  lockfileVersion: number;
  packages: Record<string, { version?: string; name?: string; dependencies?: Record<string, string>; devDependencies?: Record<string, string>; dev?: boolean }>;
};

/** `npm:@scope/name@1.2.3` (an alias) or `1.2.3`: the version the lock must hold. */
function pinnedVersion(spec: string): string | undefined {
  const m = /^(?:npm:(?:@[^/]+\/)?[^@]+@)?(\d+\.\d+\.\d+(?:-[\w.]+)?)$/.exec(spec);
  return m?.[1];
}

describe('package-lock.json', () => {
  it('is a lockfile v3 whose root lists exactly the dependencies of package.json', () => {
    expect(lock.lockfileVersion).toBe(3);
    const rootEntry = lock.packages[''];
    expect(rootEntry?.dependencies ?? {}).toEqual(pkg.dependencies ?? {});
    expect(rootEntry?.devDependencies ?? {}).toEqual(pkg.devDependencies ?? {});
  });

  it.each(['dependencies', 'devDependencies'] as const)('locks every one of %s at the exact version package.json pins', (field) => {
    const wrong: string[] = [];
    for (const [name, spec] of Object.entries(pkg[field] ?? {})) {
      const want = pinnedVersion(spec);
      const locked = lock.packages[`node_modules/${name}`];
      if (!want) wrong.push(`${name}: "${spec}" is not an exact version (pin it)`);
      else if (locked?.version !== want) wrong.push(`${name}: package.json ${want}, lock ${locked?.version ?? 'missing'}`);
      // A production dependency marked dev would be left out by `npm ci --omit=dev` (the image).
      else if (field === 'dependencies' && locked.dev) wrong.push(`${name}: locked as a dev dependency`);
    }
    expect(wrong).toEqual([]);
  });
});
