/** The Dockerfile cannot be built here (no Docker engine): its rules are checked on the parsed file. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDockerfile, checkDockerignore, parseDockerfile } from './validate/dockerfile-rules.js';
import { runAsUser } from './render/workloads.js';
import { portsOf, roles } from './render/roles.js';
import { overlays } from './render/overlays.js';
import { renderOverlay } from './render/render.js';

const root = path.join(import.meta.dirname, '..');
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
const expectation = { runAsUser, ports: Object.values(roles).flatMap((r) => portsOf(r).map((p) => p.port)) };

describe('Dockerfile', () => {
  it('keeps every image rule', () => {
    expect(checkDockerfile(dockerfile, expectation)).toEqual([]);
    expect(checkDockerignore(readFileSync(path.join(root, '.dockerignore'), 'utf8'))).toEqual([]);
  });

  it('runs the Node major that package.json and .nvmrc name', () => {
    const { stages } = parseDockerfile(dockerfile);
    const major = readFileSync(path.join(root, '.nvmrc'), 'utf8').trim();
    for (const s of stages) expect(s.from).toMatch(new RegExp(`^node:${major}\\.`));
  });

  it('ships every script the manifests run (compiled from an existing source file)', () => {
    const commands = Object.values(overlays).flatMap((o) =>
      renderOverlay(o).main.flatMap((obj) => ((obj.spec as any)?.template?.spec?.containers ?? []) as { command: string[] }[]), // eslint-disable-line @typescript-eslint/no-explicit-any
    );
    const scripts = new Set(commands.map((c) => c.command.find((a) => a.endsWith('.js'))!));
    expect(scripts).toEqual(new Set(['dist/scripts/start.js', 'dist/scripts/migrate-cli.js']));
    for (const s of scripts) expect(existsSync(path.join(root, s.replace(/^dist\//, '').replace(/\.js$/, '.ts'))), s).toBe(true);
  });

  it.each([
    ['an unpinned base', (d: string) => d.replace('node:20.20.2-bookworm-slim', 'node:20-bookworm-slim'), /pinned/],
    ['a musl base', (d: string) => d.replace('node:20.20.2-bookworm-slim', 'node:20.20.2-alpine'), /bookworm-slim/],
    ['root at run time', (d: string) => d.replace('USER 1000:1000', 'USER root'), /numeric non-root/],
    ['dev dependencies shipped', (d: string) => d.replace('npm ci --omit=dev', 'npm ci'), /--omit=dev/],
    ['an install that ignores the lock', (d: string) => d.replace('RUN npm ci --no-audit', 'RUN npm install --no-audit'), /not a reproducible install/],
    ['a shell-form entry point', (d: string) => d.replace('ENTRYPOINT ["node", "dist/scripts/start.js"]', 'ENTRYPOINT node dist/scripts/start.js'), /exec form/],
    ['a single stage', (d: string) => d.split('# --- prod-deps')[0]!, /multi-stage|--omit=dev/],
    ['a missing exposed port', (d: string) => d.replace('EXPOSE 9001 8080 9101 9103 9102', 'EXPOSE 8080 9101 9103 9102'), /EXPOSE lacks 9001/],
  ])('catches %s', (_what, mutate, expected) => {
    expect(checkDockerfile(mutate(dockerfile), expectation).join('\n')).toMatch(expected);
  });

  it('catches a .dockerignore that lets node_modules in', () => {
    expect(checkDockerignore('dist\n.git\n.env\n.data\n')).toEqual(['.dockerignore must exclude node_modules']);
  });
});
