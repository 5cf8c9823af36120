// Copies what tsc does not emit (Lua scripts, SQL migrations, static pages) into dist/.
import { cpSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const roots = ['common', 'admission', 'access', 'inventory', 'queue-edge', 'checkout'];
const copied = /\.(lua|sql|html|css|js|svg|png|ico|json)$/;

function walk(dir) {
  for (const entry of readdirSync(dir)) {
    const p = path.join(dir, entry);
    if (statSync(p).isDirectory()) walk(p);
    else if (copied.test(entry) && !p.endsWith('.test.js')) cpSync(p, path.join('dist', p));
  }
}
for (const root of roots) walk(root);
