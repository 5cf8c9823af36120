/** The one bearer parser and the one client-address rule every role uses. */
import { describe, expect, it } from 'vitest';
import { bearerToken } from './bearer-token.js';
import { clientAddress, UNKNOWN_ADDRESS } from './client-address.js';

describe('bearerToken', () => {
  it('takes the token of a Bearer header, whatever the scheme\'s case', () => {
    expect(bearerToken('Bearer abc.def-ghi_jkl')).toBe('abc.def-ghi_jkl');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('BEARER  abc')).toBe('abc');
  });

  it('is no token for anything else: missing, another scheme, two tokens, control characters, oversized', () => {
    for (const header of [undefined, null, '', 'Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'Bearer a b', 'Bearer a\u0000b', 'Bearer é', `Bearer ${'x'.repeat(4097)}`]) {
      expect(bearerToken(header), String(header)).toBeUndefined();
    }
    expect(bearerToken(`Bearer ${'x'.repeat(4096)}`)).toHaveLength(4096);
  });
});

describe('clientAddress', () => {
  it('takes the first X-Forwarded-For hop only behind a trusted proxy', () => {
    expect(clientAddress(' 203.0.113.9 , 10.0.0.1', '10.0.0.1', true)).toBe('203.0.113.9');
    expect(clientAddress('203.0.113.9', '10.0.0.1', false)).toBe('10.0.0.1');
    expect(clientAddress('', '10.0.0.1', true)).toBe('10.0.0.1');
  });

  it('falls back the same way everywhere, and bounds what a forged header can make a limit key', () => {
    expect(clientAddress(undefined, undefined, false)).toBe(UNKNOWN_ADDRESS);
    expect(clientAddress(undefined, '', true)).toBe(UNKNOWN_ADDRESS);
    expect(clientAddress('x'.repeat(1000), undefined, true)).toHaveLength(64);
  });
});
