/**
 * Deploy hooks: secret URLs that let a CI system without AWS credentials deploy a release of one
 * target. (Not to be confused with a target's pre/post-traffic hook functions.)
 *
 * The secret is 32 bytes from the CSPRNG, shown once and stored only as its sha256. A slow
 * password hash (bcrypt, scrypt, Argon2) exists to make guessing low-entropy, human-chosen
 * passwords expensive; a 256-bit random secret cannot be guessed at any speed, so a plain sha256
 * loses nothing and keeps the unauthenticated hook route from spending CPU on purpose.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { SlipwayError } from './errors.js';

export interface DeployHook {
  id: string;
  target: string;
  name: string;
  /** The release the hook deploys when the call names none; absent: the newest upload. */
  release?: string;
  /** sha256 of the secret, hex. */
  secretSha256: string;
  createdAt: string;
  lastUsedAt?: string;
  revokedAt?: string;
}

export const DEPLOY_HOOK_ID = /^hk-[0-9a-f]{20}$/;
export const HOOK_SECRET_BYTES = 32;
export const HOOK_SECRET_HEADER = 'x-slipway-hook-secret';

export function newHookId(): string {
  return `hk-${randomBytes(10).toString('hex')}`;
}

/** A new secret: 32 random bytes, base64url (43 characters, no padding). */
export function newHookSecret(): string {
  return randomBytes(HOOK_SECRET_BYTES).toString('base64url');
}

export function hashHookSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/**
 * Whether a presented secret is the hook's. Both sides are 32-byte digests, so timingSafeEqual
 * always compares equal lengths, and the time taken says nothing about how much of the secret
 * was right (nor about its length).
 */
export function hookSecretMatches(presented: string | undefined, secretSha256: string): boolean {
  if (presented === undefined || presented === '') return false;
  const expected = Buffer.from(secretSha256, 'hex');
  const actual = createHash('sha256').update(presented, 'utf8').digest();
  if (expected.length !== actual.length) return false; // a corrupt stored hash never matches
  return timingSafeEqual(actual, expected);
}

export class DeployHookNotFoundError extends SlipwayError {
  constructor(readonly hookId: string) {
    super(`deploy hook "${hookId}" does not exist or has been revoked`);
  }
}

/** The secret is missing or wrong. Says nothing more: not which, not how close. */
export class HookSecretRejectedError extends SlipwayError {
  constructor() {
    super("the X-Slipway-Hook-Secret header is missing or is not this hook's secret");
  }
}

/** Too many calls of one hook in the current window. */
export class RateLimitedError extends SlipwayError {
  constructor(
    readonly retryAfterSeconds: number,
    readonly limit: number,
    readonly windowSeconds: number,
  ) {
    super(`this deploy hook takes at most ${limit} calls per ${windowSeconds} s; retry in ${retryAfterSeconds} s`);
  }
}

export const DEFAULT_HOOK_RATE = { limit: 10, windowSeconds: 60 } as const;

function positiveInteger(env: Record<string, string | undefined>, name: string, fallback: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new Error(`environment variable ${name} must be a whole number from 1 to ${max}, not "${raw}"`);
  }
  return value;
}

/**
 * The hook rate limit from `SLIPWAY_HOOK_RATE_LIMIT` (calls per window, default 10) and
 * `SLIPWAY_HOOK_RATE_WINDOW_SECONDS` (default 60); serverless.yml sets both from its params.
 */
export function hookRateFromEnv(env: Record<string, string | undefined>): { limit: number; windowSeconds: number } {
  return {
    limit: positiveInteger(env, 'SLIPWAY_HOOK_RATE_LIMIT', DEFAULT_HOOK_RATE.limit, 1_000_000),
    windowSeconds: positiveInteger(env, 'SLIPWAY_HOOK_RATE_WINDOW_SECONDS', DEFAULT_HOOK_RATE.windowSeconds, 86_400),
  };
}
