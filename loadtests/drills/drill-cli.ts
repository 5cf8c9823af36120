/**
 * `npm run drill -- <worker-kill|redis-restart|postgres-stop|edge-kill|all>`: each drill starts its
 * own stack (private Redis and PostgreSQL, every role as its own process, several edge processes),
 * runs a small sale with a swarm of fans, injects its fault mid-sale, lets the stack recover, audits
 * Redis against PostgreSQL and payments against orders, prints what the fans saw and the time to
 * recover, and writes loadtests/results/drill-<name>.json. Exits 1 when anything was lost, 2 when
 * the drill itself could not run.
 */
import { writeResult } from '../lib/results.js';
import { startStack } from '../onsale/stack.js';
import { parseDrillOptions, USAGE } from './drill-options.js';
import { runDrill, type DrillResult } from './run-drill.js';
import { drillTable, fansSawTable } from './drill-report.js';
import { DRILL_ROLE_ENV } from './drill-env.js';

const say = (line: string): void => void process.stderr.write(`drill: ${line}\n`);

async function main(): Promise<number> {
  const o = parseDrillOptions(process.argv.slice(2));
  if (o === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const results: DrillResult[] = [];
  for (const name of o.drills) {
    const stack = await startStack({ edgeProcesses: o.edgeProcesses, tickMs: o.tickMs, log: say, keepData: o.keepData, env: DRILL_ROLE_ENV });
    let keep = o.keepData;
    try {
      const r = await runDrill(stack, name, o.settings, say);
      results.push(r);
      const file = writeResult(`drill-${name}`, r);
      say(`${name}: ${r.ok ? 'nothing lost' : `BROKEN: ${r.problems.join('; ')}`}; results ${file}`);
      keep ||= !r.ok;
      if (!r.ok) say(`keeping ${stack.dataDir} (role logs, Redis and PostgreSQL) for the post-mortem`);
    } finally {
      await stack.stop(keep);
    }
  }
  process.stdout.write(`\n${drillTable(results)}\n\n${results.map(fansSawTable).join('\n\n')}\n`);
  return results.every((r) => r.ok) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    say(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(2);
  },
);
