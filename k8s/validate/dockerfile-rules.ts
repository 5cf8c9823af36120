/**
 * Reads the Dockerfile as data (no Docker engine here) and checks the rules the image must keep:
 * multi-stage, pinned Node 20 on bookworm-slim, production dependencies only, non-root numeric
 * user matching the pods' runAsUser, exec-form entry point (node as PID 1 gets SIGTERM; no shell).
 */
export interface Instruction {
  op: string;
  args: string;
  line: number;
}

export interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

/** Joins continuation lines, drops comments, splits into stages; ARG defaults are substituted in FROM. */
export function parseDockerfile(text: string): { args: Record<string, string>; stages: Stage[] } {
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) line = `${line.slice(0, -1).trim()} ${lines[++i]!.trim()}`;
    const [op = '', ...rest] = line.split(/\s+/);
    const ins = { op: op.toUpperCase(), args: rest.join(' '), line: start };
    if (ins.op === 'ARG' && stages.length === 0) {
      const [k, v] = ins.args.split('=');
      if (k && v !== undefined) args[k] = v;
    } else if (ins.op === 'FROM') {
      const [image = '', as, name] = ins.args.split(/\s+/);
      const from = image.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => args[(a ?? b)!] ?? '');
      stages.push({ from, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else if (stages.length > 0) {
      stages[stages.length - 1]!.instructions.push(ins);
    }
  }
  return { args, stages };
}

function execForm(args: string): string[] | undefined {
  try {
    const v = JSON.parse(args) as unknown;
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
  } catch {
    return undefined;
  }
}

export function checkDockerfile(text: string, expect: { runAsUser: number; ports: number[] }): string[] {
  const problems: string[] = [];
  const { stages } = parseDockerfile(text);
  if (stages.length < 2) problems.push('not multi-stage: build tools would ship in the image');
  for (const s of stages) {
    const m = /^node:(\d+)\.(\d+)\.(\d+)-bookworm-slim(@sha256:[0-9a-f]{64})?$/.exec(s.from);
    if (!m) problems.push(`FROM ${s.from || '(empty)'}: use a pinned node:20.x.y-bookworm-slim (glibc for uWebSockets.js)`);
    else if (m[1] !== '20') problems.push(`FROM ${s.from}: Usher runs on Node 20`);
  }
  const runtime = stages[stages.length - 1];
  if (!runtime) return problems;
  const ops = (op: string) => runtime.instructions.filter((i) => i.op === op);
  if (ops('RUN').length > 0) problems.push(`runtime stage has RUN (line ${ops('RUN')[0]!.line}): build in an earlier stage and COPY the result`);
  const user = ops('USER').pop()?.args ?? '';
  const [uid] = user.split(':');
  if (!/^\d+$/.test(uid ?? '') || Number(uid) === 0) problems.push(`runtime USER "${user}" must be a numeric non-root uid`);
  else if (Number(uid) !== expect.runAsUser) problems.push(`runtime USER ${uid} differs from the pods' runAsUser ${expect.runAsUser}`);
  const copies = ops('COPY').map((c) => c.args);
  const modules = copies.find((c) => /node_modules/.test(c));
  const fromStage = /--from=(\S+)/.exec(modules ?? '')?.[1];
  const depsStage = stages.find((s) => s.name === fromStage);
  if (!depsStage || !depsStage.instructions.some((i) => i.op === 'RUN' && /npm ci\b.*--omit=dev/.test(i.args))) {
    problems.push('runtime node_modules must come from a stage that ran `npm ci --omit=dev`');
  }
  for (const s of stages) {
    for (const i of s.instructions.filter((x) => x.op === 'RUN' && /\bnpm (install|i)\b/.test(x.args))) {
      problems.push(`line ${i.line}: \`npm install\` is not a reproducible install; use \`npm ci\``);
    }
  }
  if (!copies.some((c) => /^package\.json\s/.test(c))) problems.push('runtime needs package.json ("type": "module")');
  if (!copies.some((c) => /--from=\S+\s+\S*dist\s/.test(c))) problems.push('runtime must copy dist/ from the build stage');
  const entry = ops('ENTRYPOINT').pop();
  const argv = entry ? execForm(entry.args) : undefined;
  if (!argv) problems.push('ENTRYPOINT must be exec form (JSON): node must be PID 1 to receive SIGTERM, and no shell is needed');
  else if (argv[0] !== 'node' || argv[1] !== 'dist/scripts/start.js') problems.push(`ENTRYPOINT ${entry!.args} should run node dist/scripts/start.js`);
  const cmd = ops('CMD').pop();
  if (cmd && !execForm(cmd.args)) problems.push('CMD must be exec form (JSON)');
  const exposed = ops('EXPOSE').flatMap((e) => e.args.split(/\s+/)).map((p) => Number(p.split('/')[0]));
  for (const p of expect.ports) if (!exposed.includes(p)) problems.push(`EXPOSE lacks ${p}`);
  return problems;
}

/** Paths every build context must leave out (size, secrets, host-built native modules). */
export const mustIgnore = ['node_modules', 'dist', '.git', '.env', '.data'];

export function checkDockerignore(text: string): string[] {
  const entries = new Set(text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')));
  return mustIgnore.filter((p) => !entries.has(p) && !entries.has(`${p}/`)).map((p) => `.dockerignore must exclude ${p}`);
}
