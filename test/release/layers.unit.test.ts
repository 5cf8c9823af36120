/**
 * The layer rule of eslint.config.js, exercised: product code that imports a test kit, a load test
 * or a script, or a role that imports the other role, is a lint error (and `npm run lint` is part
 * of the README's test command), while tests may import anything.
 */
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.join(import.meta.dirname, '..', '..');
const eslint = new ESLint({ cwd: root });

async function layerErrors(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: path.join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('the layer lint rule', () => {
  it.each([
    ['checkout/orders/x.ts', "import { freshDatabase } from '../../test/support/databases.js';", /may not import test\//],
    ['queue-edge/x.ts', "import { x } from '../loadtests/lib/x.js';", /may not import loadtests\//],
    ['inventory/x.ts', "import { x } from '../scripts/services.js';", /may not import scripts\//],
    ['queue-edge/x.ts', "import { x } from '../checkout/checkout-services.js';", /may not import checkout\//],
    ['checkout/x.ts', "import { x } from '../queue-edge/edge-server.js';", /may not import queue-edge\//],
    ['common/x.ts', "import { x } from '../inventory/index.js';", /may not import inventory\//],
    ['admission/x.ts', "import { x } from '../access/access-token.js';", /may not import access\//],
  ])('refuses %s: %s', async (file, source, message) => {
    const errors = await layerErrors(file, `${source}\nexport const y = x;\n`);
    expect(errors.join('\n')).toMatch(message);
  });

  it.each([
    ['checkout/orders/x.test.ts', "import { x } from '../../test/support/databases.js';"],
    ['checkout/x.ts', "import { x } from '../inventory/index.js';"],
    ['queue-edge/x.ts', "import { x } from '../admission/admission-pass.js';"],
  ])('allows %s: %s', async (file, source) => {
    expect(await layerErrors(file, `${source}\nexport const y = x;\n`)).toEqual([]);
  });
});
