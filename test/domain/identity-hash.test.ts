import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { identityKey } from '../../domain/identity-hash.ts';

const nik = fc.stringMatching(/^\d{16}$/);
const secret = fc.string({ minLength: 16, maxLength: 64 });

describe('identityKey', () => {
  it('is HMAC-SHA256 of "kind:value" in hex (known answer from Python hmac)', () => {
    expect(identityKey('test-secret', 'NIK', '8103051204800001')).toBe(
      'ff0cfd67677837db93d25d4d5c8aeef5cd0e4c0de94b60bced2bb07e78d1b00f',
    );
  });

  it('accepts the secret as bytes too', () => {
    expect(identityKey(new TextEncoder().encode('test-secret'), 'NIK', '8103051204800001')).toBe(
      identityKey('test-secret', 'NIK', '8103051204800001'),
    );
  });

  it('is deterministic and never contains the number', () => {
    fc.assert(
      fc.property(secret, nik, (key, value) => {
        const first = identityKey(key, 'NIK', value);
        expect(identityKey(key, 'NIK', value)).toBe(first);
        expect(first).toMatch(/^[0-9a-f]{64}$/);
        expect(first).not.toContain(value);
      }),
    );
  });

  it('depends on the secret', () => {
    fc.assert(
      fc.property(secret, secret, nik, (a, b, value) => {
        fc.pre(a !== b);
        expect(identityKey(a, 'NIK', value)).not.toBe(identityKey(b, 'NIK', value));
      }),
    );
  });

  it('separates kinds and values', () => {
    fc.assert(
      fc.property(secret, nik, nik, (key, a, b) => {
        expect(identityKey(key, 'NIK', a)).not.toBe(identityKey(key, 'KK', a));
        if (a !== b) expect(identityKey(key, 'NIK', a)).not.toBe(identityKey(key, 'NIK', b));
      }),
    );
  });
});
