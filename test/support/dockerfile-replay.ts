/**
 * Replays a Dockerfile without a Docker engine (none runs here): each stage gets a scratch root,
 * its COPY sets are copied from the build context (minus .dockerignore) or from earlier stages,
 * its RUN commands run in order in its WORKDIR, and ENV / USER / ENTRYPOINT / CMD are recorded for
 * whoever starts the last stage. The base image is the one thing not reproduced: this machine's
 * Node (the caller checks the version matches the FROM). An instruction this replay does not
 * know fails it, so a new kind of step cannot be skipped silently.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseDockerfile } from '../../k8s/validate/dockerfile-rules.js';

export interface ReplayedStage {
  name: string;
  from: string;
  /** The stage's "/" on this machine. */
  root: string;
  workdir: string;
  env: Record<string, string>;
  user?: { uid: number; gid: number };
  entrypoint: string[];
  cmd: string[];
}

export interface ReplayOptions {
  context: string;
  dockerfile: string;
  scratch: string;
  /** Environment every RUN gets on top of the stage's ENV (PATH, npm's cache folder). */
  runEnv: Record<string, string>;
  log?: (line: string) => void;
}

/** .dockerignore patterns as Docker reads them: relative to the context root, `**` spans folders. */
export function dockerignoreMatcher(text: string): (relPath: string) => boolean {
  const patterns = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  if (patterns.some((p) => p.startsWith('!'))) throw new Error('.dockerignore exceptions (!) are not replayed: extend dockerignoreMatcher');
  const regexes = patterns.map((p) => {
    const body = p.replace(/\/+$/, '').replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\/?|\*|\?/g, (m) => (m.startsWith('**') ? '(?:.*/)?' : m === '*' ? '[^/]*' : '[^/]'));
    return new RegExp(`^${body}$`);
  });
  return (relPath) => {
    const parts = relPath.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      if (regexes.some((r) => r.test(prefix))) return true;
    }
    return false;
  };
}

/** The build context: the repository's files (tracked or new, not git-ignored) minus .dockerignore. */
function contextFiles(context: string): string[] {
  const listed = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: context, encoding: 'utf8' }).split('\0').filter(Boolean);
  const ignorePath = path.join(context, '.dockerignore');
  const ignored = existsSync(ignorePath) ? dockerignoreMatcher(readFileSync(ignorePath, 'utf8')) : () => false;
  return listed.filter((f) => !ignored(f) && existsSync(path.join(context, f)));
}

function jsonArgs(args: string): string[] {
  const v = JSON.parse(args) as unknown;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new Error(`not an exec-form list: ${args}`);
  return v;
}

function inStage(stage: ReplayedStage, p: string): string {
  return path.isAbsolute(p) ? path.join(stage.root, p) : path.join(stage.root, stage.workdir, p);
}

/** COPY's rules: a folder's contents go into the destination; files into it when it ends in `/`. */
function copyInto(sources: string[], destination: string, destIsDir: boolean): void {
  for (const src of sources) {
    if (statSync(src).isDirectory()) {
      mkdirSync(destination, { recursive: true });
      cpSync(src, destination, { recursive: true, verbatimSymlinks: true });
    } else {
      const target = destIsDir ? path.join(destination, path.basename(src)) : destination;
      mkdirSync(path.dirname(target), { recursive: true });
      cpSync(src, target);
    }
  }
}

export function replayDockerfile(options: ReplayOptions): ReplayedStage[] {
  const log = options.log ?? (() => undefined);
  const { stages } = parseDockerfile(readFileSync(options.dockerfile, 'utf8'));
  const done: ReplayedStage[] = [];
  let files: string[] | undefined;
  // The scratch folders must be traversable by the image's non-root user, as an image's / is.
  chmodSync(options.scratch, 0o755);
  for (const [index, s] of stages.entries()) {
    const name = s.name ?? String(index);
    const stage: ReplayedStage = { name, from: s.from, root: path.join(options.scratch, name), workdir: '/', env: {}, entrypoint: [], cmd: [] };
    mkdirSync(stage.root, { recursive: true, mode: 0o755 });
    for (const ins of s.instructions) {
      const where = `Dockerfile line ${ins.line} (${name}): ${ins.op} ${ins.args}`;
      switch (ins.op) {
        case 'WORKDIR':
          stage.workdir = path.posix.resolve(stage.workdir, ins.args);
          mkdirSync(inStage(stage, '.'), { recursive: true, mode: 0o755 });
          break;
        case 'ENV': {
          const m = /^(\w+)[= ](.*)$/.exec(ins.args);
          if (!m) throw new Error(`${where}: only ENV KEY=value is replayed`);
          stage.env[m[1]!] = m[2]!.replace(/^"(.*)"$/, '$1');
          break;
        }
        case 'COPY': {
          const words = ins.args.split(/\s+/);
          const flags = words.filter((w) => w.startsWith('--'));
          const paths = words.filter((w) => !w.startsWith('--'));
          const fromName = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
          if (flags.some((f) => !f.startsWith('--from='))) throw new Error(`${where}: only --from is replayed`);
          const dest = paths.pop()!;
          const destIsDir = dest.endsWith('/') || dest === '.' || paths.length > 1;
          const target = inStage(stage, dest);
          if (fromName !== undefined) {
            const from = done.find((d) => d.name === fromName);
            if (!from) throw new Error(`${where}: no earlier stage ${fromName}`);
            const sources = paths.map((p) => inStage(from, p));
            for (const src of sources) if (!existsSync(src)) throw new Error(`${where}: ${src} does not exist in stage ${fromName}`);
            copyInto(sources, target, destIsDir);
          } else {
            files ??= contextFiles(options.context);
            for (const p of paths) {
              const rel = path.posix.normalize(p).replace(/^\.\/?/, '').replace(/\/$/, '');
              const chosen = rel === '' ? files : files.filter((f) => f === rel || f.startsWith(`${rel}/`));
              if (chosen.length === 0) throw new Error(`${where}: ${p} is not in the build context`);
              for (const f of chosen) {
                const relTarget = rel === '' || f !== rel ? path.relative(rel, f) : path.basename(f);
                const out = f === rel && !destIsDir ? target : path.join(target, relTarget);
                mkdirSync(path.dirname(out), { recursive: true });
                cpSync(path.join(options.context, f), out);
              }
            }
          }
          break;
        }
        case 'RUN': {
          log(`${name}: RUN ${ins.args}`);
          const started = Date.now();
          const r = spawnSync('sh', ['-c', ins.args], {
            cwd: inStage(stage, '.'),
            env: { ...options.runEnv, ...stage.env },
            encoding: 'utf8',
            maxBuffer: 64 * 1024 * 1024,
          });
          if (r.status !== 0) throw new Error(`${where} failed (exit ${r.status ?? r.signal}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
          log(`${name}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
          break;
        }
        case 'USER': {
          const [uid, gid = uid] = ins.args.split(':');
          if (!/^\d+$/.test(uid ?? '') || !/^\d+$/.test(gid ?? '')) throw new Error(`${where}: only a numeric USER is replayed`);
          stage.user = { uid: Number(uid), gid: Number(gid) };
          break;
        }
        case 'ENTRYPOINT':
          stage.entrypoint = jsonArgs(ins.args);
          break;
        case 'CMD':
          stage.cmd = jsonArgs(ins.args);
          break;
        case 'EXPOSE':
        case 'ARG':
        case 'LABEL':
          break;
        default:
          throw new Error(`${where}: not replayed; teach test/support/dockerfile-replay.ts this instruction`);
      }
    }
    done.push(stage);
  }
  return done;
}
