import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArtifactRejectedError } from '../../shared/domain/errors.js';
import { isReleaseName, quoteName, RELEASE_NAME, releaseNameProblem, VISIBLE_NAME, visibleNameProblem } from '../../shared/domain/names.js';
import { checkEntry, newEntryCheckState } from '../../shared/domain/site/entry-rules.js';
import { parseTarget } from '../../shared/domain/target.js';
import { windowSchema } from '../../shared/domain/window.js';
import { deployHookCreateRequestSchema } from '../../shared/http/upload-hook-schemas.js';

/** The rules as they were before the dot rule and the portable rewrite, to show what changed and what did not. */
const OLD_RELEASE_NAME = /^[A-Za-z0-9._-]{1,128}$/;
const OLD_HOOK_NAME = /^[^\p{Cc}]*$/u;

const BIDI_CONTROLS = ['\u061c', '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'];
const CONTROLS = ['\u0000', '\u0001', '\u0009', '\u000a', '\u001b', '\u001f', '\u007f', '\u0080', '\u0085', '\u009b', '\u009f'];

/** Strings mixing plain letters, a dot, the characters the rules are about and their neighbours. */
const tricky = fc
  .array(fc.constantFrom('a', 'Z', '0', '.', '_', '-', ' ', '/', 'é', '☕', '\u00a0', '\u2065', '\u206a', '\u2029', '\u200d', ...BIDI_CONTROLS, ...CONTROLS), {
    maxLength: 12,
  })
  .map((chars) => chars.join(''));

describe('Release names', () => {
  it.each(['.', '..', '.slipway', '.hidden', '.r1'])('refuses %s, which starts with a dot', (name) => {
    expect(isReleaseName(name)).toBe(false);
    expect(releaseNameProblem(name)).toMatch(/^starts with "\."/);
  });

  it.each(['r1', 'v1.2.3_rc-1', 'r1.', 'a..b', '-r1', '_r1', 'a'.repeat(128)])('accepts %s', (name) => {
    expect(isReleaseName(name)).toBe(true);
    expect(releaseNameProblem(name)).toBeUndefined();
  });

  it('says which characters a release name may use when it has others', () => {
    expect(releaseNameProblem('r 1')).toBe('must be 1 to 128 characters of A-Z a-z 0-9 . _ - and must not start with "."');
    expect(releaseNameProblem('')).toMatch(/^must be 1 to 128/);
  });

  it('agrees with the former rule on every name that does not start with a dot', () => {
    fc.assert(
      fc.property(fc.oneof(tricky, fc.string({ maxLength: 130 }), fc.stringMatching(/^[A-Za-z0-9._-]{0,130}$/)), (name) => {
        expect(RELEASE_NAME.test(name)).toBe(OLD_RELEASE_NAME.test(name) && !name.startsWith('.'));
      }),
    );
  });
});

describe('Function: visibleNameProblem', () => {
  const codes = (chars: string[]) => chars.map((char) => [`U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`, char] as const);

  it.each(codes(BIDI_CONTROLS))('refuses the bidirectional control %s, naming it', (code, char) => {
    const problem = visibleNameProblem(`invoice${char}gpj.exe`);
    expect(problem).toContain('bidirectional control character');
    expect(problem).toContain(code);
  });

  it.each(codes(CONTROLS))('refuses the control character %s', (_, char) => {
    expect(visibleNameProblem(`a${char}b`)).toMatch(/control character \(U\+00[0-9A-F]{2}\)/);
  });

  it.each(['nightly from CI', 'café ☕', 'שלום', 'a\u00a0b', ''])('accepts %j', (name) => {
    expect(visibleNameProblem(name)).toBeUndefined();
  });

  it('agrees with the VISIBLE_NAME pattern the API documents', () => {
    fc.assert(
      fc.property(fc.oneof(tricky, fc.string({ unit: 'binary', maxLength: 20 })), (name) => {
        expect(VISIBLE_NAME.test(name)).toBe(visibleNameProblem(name) === undefined);
      }),
    );
  });

  it('is the former hook name rule (no \\p{Cc}) plus the bidirectional controls', () => {
    fc.assert(
      fc.property(fc.oneof(tricky, fc.string({ unit: 'binary', maxLength: 20 })), (name) => {
        const hasBidi = BIDI_CONTROLS.some((c) => name.includes(c));
        expect(VISIBLE_NAME.test(name)).toBe(OLD_HOOK_NAME.test(name) && !hasBidi);
      }),
    );
  });

  it('quotes a name with its invisible characters escaped', () => {
    expect(quoteName('a\u202eb\u0085c\u0001')).toBe('"a\\u202eb\\u0085c\\u0001"');
  });
});

describe('One rule for the names people read', () => {
  const name = 'deploy\u202ekcab';
  const functionTarget = { name: 'hello', kind: 'function', function: { name: 'hello' } };
  const window = (reason: string) => ({
    allow: [{ cron: '0 2 * * *', durationMinutes: 60 }],
    deny: [{ from: '2026-12-20T00:00', to: '2027-01-05T00:00', reason }],
  });

  const entryPoints: [string, (n: string) => string | undefined][] = [
    [
      'a zip entry',
      (n) => {
        try {
          checkEntry(
            { nameBytes: Buffer.from(n), generalPurposeBitFlag: 0x0800, externalFileAttributes: 0, versionMadeBy: 20, compressedSize: 1, uncompressedSize: 1 },
            newEntryCheckState(),
          );
          return undefined;
        } catch (error) {
          expect(error).toBeInstanceOf(ArtifactRejectedError);
          return (error as Error).message;
        }
      },
    ],
    ['a deploy hook name', (n) => deployHookCreateRequestSchema.safeParse({ name: n }).error?.issues[0]?.message],
    [
      'an alarm name',
      (n) => {
        try {
          parseTarget({ ...functionTarget, health: { alarms: [n] } });
          return undefined;
        } catch (e) {
          return (e as Error).message;
        }
      },
    ],
    ['a freeze label', (n) => windowSchema.safeParse(window(n)).error?.issues[0]?.message],
  ];

  it.each(entryPoints)('refuses bidirectional controls in %s', (_, check) => {
    expect(check(name)).toMatch(/bidirectional/);
    expect(check('deploy back')).toBeUndefined();
  });

  it.each(entryPoints)('refuses control characters in %s', (_, check) => {
    expect(check('deploy\u001b[2Jback')).toMatch(/control character/);
  });
});
