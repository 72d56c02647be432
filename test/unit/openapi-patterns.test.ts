/**
 * The OpenAPI document is read by tools that are not JavaScript (Python's openapi-spec-validator,
 * code generators), so every `pattern` in it keeps to the regex subset JSON Schema recommends:
 * no `\p{…}` property classes, no lookaround, no `\d`/`\w`/`\s` (whose meaning differs between
 * engines: Python's `\d` matches Arabic-Indic digits), no `(?…)` groups. Python's `re` has no
 * `\p{…}` at all, which makes it a good second engine to compile them with.
 */
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { TZDate } from '@date-fns/tz';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { functionTargetSchema } from '../../shared/domain/target.js';
import { parseWindowTime } from '../../shared/domain/window.js';

const document = JSON.parse(await readFile(new URL('../../docs/openapi.json', import.meta.url), 'utf8')) as unknown;

/** Every `pattern` of every schema in the document, with where it is. */
function patterns(node: unknown, at = '#'): { at: string; pattern: string }[] {
  if (!node || typeof node !== 'object') return [];
  return Object.entries(node as Record<string, unknown>).flatMap(([key, value]) => {
    const here = `${at}/${key}`;
    const own = key === 'pattern' && typeof value === 'string' ? [{ at: here, pattern: value }] : [];
    const keys = key === 'patternProperties' && value && typeof value === 'object' ? Object.keys(value).map((pattern) => ({ at: here, pattern })) : [];
    return [...own, ...keys, ...patterns(value, here)];
  });
}

/** Runs Python with the JSON input on stdin; answers what it prints as JSON. */
function python<T>(script: string, input: unknown): T {
  const result = spawnSync('python3', ['-c', script], { input: JSON.stringify(input), encoding: 'utf8' });
  if (result.error) throw result.error;
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

const COMPILE = `
import json, re, sys
failed = []
for p in json.load(sys.stdin):
    try:
        re.compile(p)
    except re.error as e:
        failed.append({"pattern": p, "error": str(e)})
print(json.dumps(failed))
`;

const SEARCH = `
import json, re, sys
cases = json.load(sys.stdin)
print(json.dumps([[re.search(c["pattern"], s) is not None for s in c["samples"]] for c in cases]))
`;

/** Constructs outside the portable subset, or whose meaning differs between engines. */
const NOT_PORTABLE = [/\\[pP]\{/, /\(\?/, /\\[dDwWsSbB]/, /\\[1-9]/, /\\k</];

/**
 * Strings that tell engines apart: Unicode digits and letters, controls, bidi marks, and the shapes
 * the patterns are about. (No trailing "\n": Python's `$` also matches before a final newline, which
 * no pattern can avoid while JavaScript has no `\Z`.)
 */
const SAMPLES = [
  '',
  'r1',
  'hello',
  'Hello',
  'v1.2.3_rc-1',
  '.slipway',
  '..',
  '-x',
  'a/b',
  '/a*',
  '/a*b',
  'www/',
  'www/app/',
  'E2QWRUHAPOMQZL',
  'my-bucket.example',
  'live',
  '123',
  '12a',
  'arn:aws:lambda:eu-west-1:123456789012:function:hello',
  'hello:1',
  '2026-12-20T00:00',
  '2026-12-20T00:00:30',
  '2026-12-20T00:00+01:00',
  '2026-12-20T00:00Z',
  '٢٠٢٦-١٢-٢٠T00:00',
  '２０２６-12-20T00:00',
  '１２３',
  'a'.repeat(64),
  'f'.repeat(64),
  'queued',
  'queued,failed',
  'queued,',
  'nightly from CI',
  'café ☕',
  'a\u0000b',
  'a\u0009b',
  'a\u007fb',
  'a\u0085b',
  'a\u202eb',
  'a\u200fb',
  'a\u061cb',
  'a\u2066b',
  'a\u00a0b',
  'ü',
  'ǅ',
  '3600',
];

describe('Patterns of docs/openapi.json', () => {
  const found = patterns(document);

  it('has patterns to check', () => {
    expect(found.length).toBeGreaterThan(20);
  });

  it('compile with Python re, an engine without Unicode property classes', () => {
    // Act
    const failed = python<{ pattern: string; error: string }[]>(COMPILE, [...new Set(found.map((f) => f.pattern))]);
    // Assess
    expect(failed.map((f) => `${found.find((x) => x.pattern === f.pattern)!.at}: ${f.pattern} (${f.error})`)).toEqual([]);
  });

  it('use only the regex subset JSON Schema recommends', () => {
    const offending = found.filter(({ pattern }) => NOT_PORTABLE.some((construct) => construct.test(pattern)));
    expect(offending.map(({ at, pattern }) => `${at}: ${pattern}`)).toEqual([]);
  });

  it('match the same strings in Python as in JavaScript', () => {
    // Prepare
    const unique = [...new Set(found.map((f) => f.pattern))];
    // Act
    const inPython = python<boolean[][]>(
      SEARCH,
      unique.map((pattern) => ({ pattern, samples: SAMPLES })),
    );
    // Assess
    unique.forEach((pattern, i) => {
      const inJs = SAMPLES.map((s) => new RegExp(pattern, 'u').test(s));
      const differ = SAMPLES.filter((_, j) => inJs[j] !== inPython[i]![j]);
      expect(differ, pattern).toEqual([]);
    });
  });
});

describe('The portable rewrites', () => {
  const OLD_ALIAS = /^(?!\d+$)[A-Za-z0-9_-]{1,128}$/;
  const alias = functionTargetSchema.shape.function.shape.alias;
  const aliasChars = fc.array(fc.constantFrom('0', '7', 'a', 'Z', '_', '-', '.', ' ', '٣'), { maxLength: 130 }).map((c) => c.join(''));

  it('take the same alias names as the former lookahead', () => {
    fc.assert(
      fc.property(fc.oneof(aliasChars, fc.stringMatching(/^[0-9]{0,130}$/), fc.string({ maxLength: 130 })), (name) => {
        expect(alias.safeParse(name).success).toBe(OLD_ALIAS.test(name));
      }),
    );
  });

  it('take the same alias at the edges of its length', () => {
    for (const name of ['', 'a', '1', '1'.repeat(128), `${'1'.repeat(127)}a`, `${'1'.repeat(128)}a`, 'a'.repeat(128), 'a'.repeat(129)]) {
      expect(alias.safeParse(name).success, name).toBe(OLD_ALIAS.test(name));
    }
  });

  const OLD_LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:\d{2})?$/;
  /** The former parseWindowTime, before its pattern was rewritten without `\d` and `(?:`. */
  function oldParseWindowTime(text: string, timezone: string): number | undefined {
    const match = OLD_LOCAL_TIME.exec(text);
    if (!match) return undefined;
    const [, y, mo, d, h, mi, s, zone] = match;
    const parts = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0)] as const;
    const probe = new Date(Date.UTC(...parts));
    if (probe.getUTCMonth() !== parts[1] || probe.getUTCDate() !== parts[2] || probe.getUTCHours() !== parts[3]) return undefined;
    if (zone) return new Date(text.length === 16 + zone.length ? text.replace(zone, `:00${zone}`) : text).getTime();
    return new TZDate(...parts, timezone).getTime();
  }

  const two = fc.integer({ min: 0, max: 99 }).map((n) => String(n).padStart(2, '0'));
  const localTime = fc
    .tuple(
      fc.integer({ min: 1990, max: 2100 }),
      fc.integer({ min: 1, max: 13 }).map((n) => String(n).padStart(2, '0')),
      fc.integer({ min: 0, max: 32 }).map((n) => String(n).padStart(2, '0')),
      fc.integer({ min: 0, max: 25 }).map((n) => String(n).padStart(2, '0')),
      two,
      fc.option(two, { nil: undefined }),
      fc.constantFrom(undefined, 'Z', '+01:00', '-05:30', '+1:00', 'z'),
    )
    .map(([y, mo, d, h, mi, s, zone]) => `${y}-${mo}-${d}T${h}:${mi}${s === undefined ? '' : `:${s}`}${zone ?? ''}`);

  it('read deny times as the former pattern did', () => {
    fc.assert(
      fc.property(fc.oneof(localTime, fc.string({ maxLength: 30 })), fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York'), (text, zone) => {
        const old = OLD_LOCAL_TIME.test(text) ? oldParseWindowTime(text, zone) : undefined;
        expect(parseWindowTime(text, zone)?.getTime()).toBe(old);
      }),
    );
  });
});
