/**
 * The README's configuration table, generated from `common/config.ts` so that the two cannot
 * drift: `npm run config:table` prints it, `-- --write` puts it in the README; a test checks the README holds the current one.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { variables } from '../common/config.js';

export function configTable(): string {
  const rows = Object.entries(variables).map(([name, v]) => {
    const def = 'default' in v && v.default !== undefined ? `\`${v.default}\`` : '—';
    const secret = 'secret' in v && v.secret ? ' (secret)' : '';
    return `| \`${name}\` | ${def} | ${v.doc.replace(/\|/g, '\\|')}${secret} |`;
  });
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

/** Replaces the table between the README's config-table markers. */
export function withConfigTable(readme: string): string {
  return readme.replace(/(<!-- config-table:begin -->\n)[\s\S]*?(\n<!-- config-table:end -->)/, `$1${configTable()}$2`);
}

const invokedDirectly = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (invokedDirectly) {
  if (process.argv.includes('--write')) {
    const readme = new URL('../README.md', import.meta.url);
    writeFileSync(readme, withConfigTable(readFileSync(readme, 'utf8')));
  } else {
    process.stdout.write(`${configTable()}\n`);
  }
}
