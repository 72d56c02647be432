import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/domain/errors.js';
import { parseTarget, siteTargetSchema } from '../../shared/domain/target.js';
import { decodeS3EventKey, parseReleaseKey, releaseKey } from '../../shared/domain/artifact-key.js';

const valid = { name: 'hello', kind: 'function', function: { name: 'hello' } };

function issuesOf(input: unknown): string[] {
  try {
    parseTarget(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected a ValidationError');
}

describe('Function: parseTarget', () => {
  it('fills the documented defaults', () => {
    expect(parseTarget(valid)).toEqual({
      name: 'hello',
      kind: 'function',
      function: { name: 'hello', alias: 'live' },
      strategy: 'AllAtOnce',
      health: { alarms: [], pollSeconds: 30 },
      keepVersions: 10,
    });
  });

  it('names an unknown field by its path', () => {
    expect(issuesOf({ ...valid, health: { alarms: [], alarmz: [] } })).toEqual(['health: unknown field "alarmz" (did you mean "alarms"?)']);
  });

  it('suggests the field a mistyped one was meant to be, at its own level, and none when nothing is close', () => {
    expect(issuesOf({ ...valid, stratgy: 'AllAtOnce' })).toEqual(['(root): unknown field "stratgy" (did you mean "strategy"?)']);
    expect(issuesOf({ ...valid, function: { name: 'hello', alais: 'live' } })).toEqual(['function: unknown field "alais" (did you mean "alias"?)']);
    expect(issuesOf({ ...valid, colour: 'blue' })).toEqual(['(root): unknown field "colour"']);
  });

  it("names the issue of the strategy a value meant, or the types it may take, not only 'one of the shapes'", () => {
    expect(issuesOf({ ...valid, strategy: { type: 'canary', percent: 500, bakeSeconds: 5 } })).toEqual([
      'strategy.percent: Number must be less than or equal to 99',
    ]);
    expect(issuesOf({ ...valid, strategy: { type: 'Canary', percent: 10, bakeSeconds: 5 } })).toEqual([
      'strategy.type: must be "canary", "linear" or "steps", not "Canary"',
    ]);
  });

  it('names a bad value by its path', () => {
    const issues = issuesOf({ ...valid, strategy: { type: 'steps', steps: [{ percent: 150, bakeSeconds: 5 }] } });
    expect(issues.join('\n')).toContain('strategy');
    expect(issuesOf({ ...valid, keepVersions: 0 })).toEqual(['keepVersions: Number must be greater than or equal to 1']);
    expect(issuesOf({ ...valid, name: 'Hello World' })[0]).toMatch(/^name: must match/);
    expect(issuesOf({ ...valid, health: { probe: { url: 'ftp://x' } } })[0]).toMatch(/^health\.probe\.url/);
  });

  it('rejects an unknown kind and says which kinds exist', () => {
    expect(issuesOf({ ...valid, kind: 'container' })[0]).toContain('kind: must be one of "function"');
  });

  it('rejects a CDN path with a wildcard anywhere but the end', () => {
    expect(issuesOf({ ...valid, cdn: { distributionId: 'E123', paths: ['/a*/b'] } })[0]).toMatch(/^cdn\.paths\.0/);
  });
});

describe('Function: parseReleaseKey', () => {
  it('parses the artifact key layout', () => {
    expect(parseReleaseKey('releases/hello/r2.zip')).toEqual({ target: 'hello', release: 'r2' });
    expect(parseReleaseKey(releaseKey('web-app', 'v1.2.3_rc-1'))).toEqual({ target: 'web-app', release: 'v1.2.3_rc-1' });
  });

  it.each([
    'hello/r2.zip',
    'releases/hello/r2.tar.gz',
    'releases/Hello/r2.zip',
    'releases/hello/sub/r2.zip',
    'releases/hello/.zip',
    'releases/hello/r 2.zip',
    `releases/hello/${'a'.repeat(129)}.zip`,
    'releases/-hello/r2.zip',
  ])('ignores %s', (key) => {
    expect(parseReleaseKey(key)).toBeUndefined();
  });

  it('decodes keys the way S3 event notifications encode them', () => {
    expect(decodeS3EventKey('releases%2Fhello%2Fr2.zip')).toBe('releases/hello/r2.zip');
    expect(decodeS3EventKey('releases/a+b/c.zip')).toBe('releases/a b/c.zip');
  });
});

describe('Schema: site target', () => {
  it('fills the documented defaults and checks the prefix', () => {
    // Prepare
    const input = { name: 'www', kind: 'site', site: { bucket: 'www-origin', prefix: 'www/', distributionId: 'E2QWRUHAPOMQZL' } };
    // Act
    const parsed = siteTargetSchema.parse(input);
    // Assess
    expect(parsed).toMatchObject({
      keepReleases: 10,
      cacheControl: [],
      limits: { maxEntries: 100_000, maxUncompressedBytes: 5 * 1024 ** 3, maxCompressionRatio: 100 },
      staging: { chunkEntries: 2000, concurrency: 8 },
    });
    expect(siteTargetSchema.safeParse({ ...input, site: { ...input.site, prefix: 'www' } }).success).toBe(false);
    expect(siteTargetSchema.safeParse({ ...input, site: { ...input.site, prefix: '../www/' } }).success).toBe(false);
    expect(siteTargetSchema.safeParse({ ...input, keepReleases: 1 }).success).toBe(false);
  });
});
