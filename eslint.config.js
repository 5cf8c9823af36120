import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers, as imports may cross them (tests may import anything):
 *   common/       infrastructure for every role: imports no domain folder and no role
 *   admission/, access/  shared domain of the edge and the API: import only common/
 *   inventory/    Redis seat pools: knows no HTTP, no sockets, no payments
 *   queue-edge/ and checkout/  the roles: they meet through Redis and the admission pass, never by import
 *   product code  imports neither tests nor load tests nor scripts
 */
const never = (folders) => folders.map((f) => ({ group: [`**/${f}/**`, `${f}/**`], message: `this layer may not import ${f}/ (see eslint.config.js)` }));
const layer = (folder, forbidden) => ({
  files: [`${folder}/**/*.ts`],
  ignores: ['**/*.test.ts'],
  rules: { 'no-restricted-imports': ['error', { patterns: never(forbidden) }] },
});
const notProduct = ['test', 'loadtests', 'scripts', 'k8s'];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.data/', 'coverage/', 'test-artifacts/', '**/static/**', 'loadtests/k6/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['warn', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'warn',
    },
  },
  layer('common', ['admission', 'access', 'inventory', 'queue-edge', 'checkout', ...notProduct]),
  layer('admission', ['access', 'inventory', 'queue-edge', 'checkout', ...notProduct]),
  layer('access', ['admission', 'inventory', 'queue-edge', 'checkout', ...notProduct]),
  layer('inventory', ['admission', 'access', 'queue-edge', 'checkout', ...notProduct]),
  layer('queue-edge', ['checkout', ...notProduct]),
  layer('checkout', ['queue-edge', ...notProduct]),
  layer('scripts', ['test', 'loadtests', 'k8s']),
);
