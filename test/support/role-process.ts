/**
 * A built role as operators run it: `node dist/scripts/start.js <role>` as its own process, its
 * JSON log lines collected, its probes polled, and SIGTERM's drain observed to the exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generatePassJwks } from '../../admission/admission-pass.js';
import { freePort } from '../../scripts/services.js';

export interface RoleProcess {
  child: ChildProcess;
  /** Every JSON line the process wrote to stdout, parsed (non-JSON lines kept as `{ raw }`). */
  logs: Record<string, unknown>[];
  stderr(): string;
  /** SIGTERM, then the exit: code, signal and how long the drain took. */
  terminate(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

export interface RolePorts {
  API_PORT: string;
  EDGE_PORT: string;
  WORKER_PORT: string;
  /** internal: /metrics only (the worker's is WORKER_PORT, which serves its probes too) */
  API_METRICS_PORT: string;
  EDGE_METRICS_PORT: string;
}

export async function freeRolePorts(): Promise<RolePorts> {
  return {
    API_PORT: String(await freePort()), EDGE_PORT: String(await freePort()), WORKER_PORT: String(await freePort()),
    API_METRICS_PORT: String(await freePort()), EDGE_METRICS_PORT: String(await freePort()),
  };
}

/** The secrets NODE_ENV=production refuses to start without, generated for one run. */
export async function productionSecrets(): Promise<Record<string, string>> {
  return {
    PASS_SIGNING_JWKS: JSON.stringify(await generatePassJwks()),
    VISITOR_TOKEN_SECRET: 'release-test-visitor-secret-0123456789abcdef',
    AUTH_JWT_SECRET: 'release-test-auth-jwt-secret-0123456789abcdef',
  };
}

export interface StartOptions {
  /** The folder holding dist/ (the repository, or a replayed image's /app). */
  cwd: string;
  args: string[];
  env: Record<string, string>;
  /** Run as this uid:gid (the image's USER); only possible when the test runs as root. */
  user?: { uid: number; gid: number };
}

export function startRoleProcess(options: StartOptions): RoleProcess {
  // Only what the image's environment would hold: PATH, plus what the test passes.
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/tmp', ...options.env };
  const child = spawn(process.execPath, options.args, {
    cwd: options.cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.user ?? {}),
  });
  const logs: Record<string, unknown>[] = [];
  let partial = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines.filter((l) => l.trim() !== '')) {
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ raw: line });
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    logs,
    stderr: () => stderr,
    async terminate(timeoutMs = 15_000) {
      const started = Date.now();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const result = await exited;
      clearTimeout(timer);
      return { ...result, ms: Date.now() - started };
    },
  };
}

/** Polls `url` until it answers 200; fails early with the process's output if it exits first. */
export async function waitForOk(url: string, role: RoleProcess, timeoutMs = 30_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (role.child.exitCode !== null || role.child.signalCode !== null) {
      throw new Error(`process exited (${role.child.exitCode ?? role.child.signalCode}) before ${url} answered 200\n${describe(role)}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return res;
      last = `${res.status} ${await res.text()}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms (last: ${last})\n${describe(role)}`);
}

/** The process's output, for a failure message. */
export function describe(role: RoleProcess): string {
  const lines = role.logs.slice(-30).map((l) => JSON.stringify(l));
  return `--- stdout (last 30 lines)\n${lines.join('\n')}\n--- stderr\n${role.stderr().slice(-4000)}`;
}

export function logMessages(role: RoleProcess): string[] {
  return role.logs.map((l) => String(l.msg ?? l.raw ?? ''));
}
