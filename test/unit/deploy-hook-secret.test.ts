import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { DEPLOY_HOOK_ID, hashHookSecret, hookRateFromEnv, hookSecretMatches, newHookId, newHookSecret } from '../../shared/domain/deploy-hook.js';

// Records every timingSafeEqual call, to see what the compare hands it.
const compared = vi.hoisted(() => [] as [number, number][]);
vi.mock('node:crypto', async (importOriginal) => {
  const crypto = await importOriginal<typeof import('node:crypto')>();
  return {
    ...crypto,
    timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      compared.push([a.byteLength, b.byteLength]);
      return crypto.timingSafeEqual(a, b);
    },
  };
});

describe('Function: newHookSecret', () => {
  it('is 32 random bytes in base64url, different every time', () => {
    // Act
    const secrets = Array.from({ length: 50 }, () => newHookSecret());
    // Assess
    for (const secret of secrets) {
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    }
    expect(new Set(secrets).size).toBe(50);
  });
});

describe('Function: newHookId', () => {
  it('makes ids the hook route accepts, different every time', () => {
    // Act
    const ids = Array.from({ length: 50 }, () => newHookId());
    // Assess
    for (const id of ids) expect(id).toMatch(DEPLOY_HOOK_ID);
    expect(new Set(ids).size).toBe(50);
  });
});

describe('Function: hashHookSecret', () => {
  it('is the hex sha256 of the secret, and never the secret itself', () => {
    // Prepare
    const secret = newHookSecret();
    // Act
    const hash = hashHookSecret(secret);
    // Assess
    expect(hash).toBe(createHash('sha256').update(secret).digest('hex'));
    expect(hash).not.toContain(secret);
  });
});

describe('Function: hookSecretMatches', () => {
  const secret = newHookSecret();
  const stored = hashHookSecret(secret);

  it('accepts the secret', () => {
    // Act & Assess
    expect(hookSecretMatches(secret, stored)).toBe(true);
  });

  it.each([
    ['a missing header', undefined],
    ['an empty header', ''],
    ['another secret', newHookSecret()],
    ['the secret with its last character changed', `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`],
    ['a prefix of the secret', secret.slice(0, 20)],
    ['the secret with more after it', `${secret}x`],
    ['the stored hash itself', stored],
  ])('refuses %s', (_, presented) => {
    // Act & Assess
    expect(hookSecretMatches(presented, stored)).toBe(false);
  });

  it('compares two 32-byte digests in constant time, whatever the length presented', () => {
    // Prepare
    compared.length = 0;
    // Act
    for (const presented of ['x', secret, `${secret}${'y'.repeat(500)}`]) hookSecretMatches(presented, stored);
    // Assess
    expect(compared).toEqual([
      [32, 32],
      [32, 32],
      [32, 32],
    ]);
  });

  it('never matches a corrupt stored hash', () => {
    // Act & Assess
    expect(hookSecretMatches(secret, 'not-hex')).toBe(false);
    expect(hookSecretMatches(secret, stored.slice(0, 10))).toBe(false);
  });
});

describe('Function: hookRateFromEnv', () => {
  it('defaults to 10 calls a minute', () => {
    // Act & Assess
    expect(hookRateFromEnv({})).toEqual({ limit: 10, windowSeconds: 60 });
  });

  it('reads both settings', () => {
    // Act & Assess
    expect(hookRateFromEnv({ SLIPWAY_HOOK_RATE_LIMIT: '3', SLIPWAY_HOOK_RATE_WINDOW_SECONDS: '3600' })).toEqual({ limit: 3, windowSeconds: 3600 });
  });

  it.each(['0', '-1', '2.5', 'ten', '86401'])('refuses SLIPWAY_HOOK_RATE_WINDOW_SECONDS=%s, naming the variable', (value) => {
    // Act & Assess
    expect(() => hookRateFromEnv({ SLIPWAY_HOOK_RATE_WINDOW_SECONDS: value })).toThrow(/SLIPWAY_HOOK_RATE_WINDOW_SECONDS/);
  });
});
