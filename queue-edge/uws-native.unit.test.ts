import { describe, it, expect } from 'vitest';
import { loadNativeUws, UwsShimError } from './uws-native.js';

describe('loadNativeUws', () => {
  it('loads the native uWebSockets.js binding on this machine', () => {
    const uws = loadNativeUws();
    expect(typeof uws.App).toBe('function');
    expect(typeof uws.us_listen_socket_close).toBe('function');
  });

  it('refuses the ws shim, which exports only App', () => {
    expect(() => loadNativeUws(() => ({ App: () => ({}) }))).toThrow(UwsShimError);
  });

  it('refuses a module that failed to load', () => {
    expect(() => loadNativeUws(() => { throw new Error('ELF mismatch'); })).toThrow(/ELF mismatch/);
  });
});
