import { createRequire } from 'node:module';
import type * as UwsModule from 'uWebSockets.js';

export type Uws = typeof UwsModule;

export class UwsShimError extends Error {
  constructor(detail: string) {
    super(
      `uWebSockets.js did not load its native binding (${detail}); it fell back to a slow ws shim. ` +
        'Usher refuses to run on the shim: use Node 20 on Linux x64 with glibc >= 2.36 (Debian 12 / Ubuntu 22.04+), ' +
        'then reinstall with `npm ci`.',
    );
    this.name = 'UwsShimError';
  }
}

/**
 * Loads uWebSockets.js and proves it is the native module. `@trufflesuite/uws-js-unofficial`
 * silently falls back to a `ws` shim exporting only `App`; the native module also exports
 * `us_listen_socket_close`.
 */
export function loadNativeUws(load: () => unknown = () => createRequire(import.meta.url)('uWebSockets.js')): Uws {
  let mod: unknown;
  try {
    mod = load();
  } catch (err) {
    throw new UwsShimError(`require failed: ${(err as Error).message}`);
  }
  const m = mod as Partial<Uws> | undefined;
  if (!m || typeof m.App !== 'function') throw new UwsShimError('no App export');
  if (typeof m.us_listen_socket_close !== 'function') throw new UwsShimError('us_listen_socket_close is missing');
  return m as Uws;
}
