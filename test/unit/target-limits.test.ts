/**
 * A target is stored as one DynamoDB item (≤ 400 KB). A config too large for it used to pass the
 * schema and fail the write with a 500; every field is now bounded, and so is the whole config.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/domain/errors.js';
import { MAX_TOTAL_BAKE_SECONDS, strategySchema, totalBakeSeconds } from '../../shared/domain/strategy.js';
import { MAX_TARGET_CONFIG_BYTES, parseTarget } from '../../shared/domain/target.js';

const fn = { name: 'hello', kind: 'function', function: { name: 'hello' } };
const site = { name: 'www', kind: 'site', site: { bucket: 'www-origin', distributionId: 'E2QWRUHAPOMQZL' } };
const allow = [{ cron: '0 2 * * *', durationMinutes: 60 }];

function issuesOf(input: unknown): { path: string; message: string }[] {
  try {
    parseTarget(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues;
  }
  throw new Error('expected the config to be refused');
}

/** A site config with every list at its longest and every string at its longest: larger than one config may be. */
function maximalSite() {
  return {
    ...site,
    health: { alarms: Array.from({ length: 50 }, (_, i) => `${i}`.padEnd(255, 'a')) },
    cacheControl: Array.from({ length: 50 }, (_, i) => ({ match: `${i}`.padEnd(256, '*'), value: 'max-age=60'.padEnd(256, ' ') })),
    window: {
      allow,
      deny: Array.from({ length: 100 }, (_, i) => ({
        from: `2027-01-${String((i % 28) + 1).padStart(2, '0')}T00:00`,
        to: `2027-02-${String((i % 28) + 1).padStart(2, '0')}T00:00`,
        reason: `freeze ${i} `.padEnd(200, 'x'),
      })),
    },
  };
}

describe('Field sizes of a target config', () => {
  it('refuses a cron of 250,000 entries quickly, naming its field', () => {
    // Prepare
    const cron = `${Array.from({ length: 250_000 }, (_, i) => i % 60).join(',')} * * * *`;
    const started = Date.now();
    // Act
    const issues = issuesOf({ ...fn, window: { allow: [{ cron, durationMinutes: 60 }] } });
    // Assess
    expect(issues).toEqual([{ path: 'window.allow.0.cron', message: 'must be at most 256 characters' }]);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('refuses an allow list of 250,000 entries quickly, naming the list', () => {
    // Prepare
    const started = Date.now();
    // Act
    const issues = issuesOf({ ...fn, window: { allow: Array.from({ length: 250_000 }, () => allow[0]) } });
    // Assess
    expect(issues).toEqual([{ path: 'window.allow', message: 'must hold at most 20 entries, not 250000' }]);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it.each([
    ['a CDN path', { ...fn, cdn: { distributionId: 'E1', paths: [`/${'a'.repeat(2000)}`] } }, 'cdn.paths.0'],
    ['the CDN paths list', { ...fn, cdn: { distributionId: 'E1', paths: Array.from({ length: 16 }, (_, i) => `/p${i}`) } }, 'cdn.paths'],
    ['a probe URL', { ...fn, health: { probe: { url: `https://example.com/${'a'.repeat(3000)}` } } }, 'health.probe.url'],
    ['an alarm name', { ...fn, health: { alarms: ['a'.repeat(256)] } }, 'health.alarms.0'],
    ['a site prefix', { ...site, site: { ...site.site, prefix: `${'a'.repeat(300)}/` } }, 'site.prefix'],
    ['a time zone', { ...fn, window: { timezone: 'Europe/'.padEnd(100, 'x'), allow } }, 'window.timezone'],
    [
      'a freeze label',
      { ...fn, window: { allow, deny: [{ from: '2027-01-01T00:00', to: '2027-01-02T00:00', reason: 'x'.repeat(201) }] } },
      'window.deny.0.reason',
    ],
  ])('refuses %s that is too long, naming its field', (_, input, path) => {
    expect(issuesOf(input).map((i) => i.path)).toContain(path);
  });

  it('refuses a config larger than 64 KiB as a whole, naming its largest part', () => {
    // Prepare
    const input = maximalSite();
    // Act
    const issues = issuesOf(input);
    // Assess
    expect(JSON.stringify(input).length).toBeGreaterThan(MAX_TARGET_CONFIG_BYTES);
    expect(issues).toEqual([
      {
        path: 'cacheControl',
        message: expect.stringMatching(/^the target config is \d+ bytes as JSON, more than the 65536 allowed; the largest part, cacheControl, is \d+ bytes/),
      },
    ]);
  });

  it('takes a large config that fits', () => {
    // Prepare
    const input = { ...maximalSite(), cacheControl: [] };
    // Act
    const target = parseTarget(input);
    // Assess
    expect(target.kind === 'site' && target.window?.deny).toHaveLength(100);
  });
});

describe('Total bake of a strategy', () => {
  it('refuses a linear strategy whose bakes add up to more than one execution can last, naming it and the total', () => {
    // Prepare
    const strategy = { type: 'linear', percent: 1, bakeSeconds: 5 * 86_400 };
    // Act
    const issues = issuesOf({ ...fn, strategy });
    // Assess
    expect(issues).toEqual([
      {
        path: 'strategy',
        message: expect.stringContaining(`the strategy ${JSON.stringify(strategy)} bakes 495 days (42768000 s) in all, longer than the 364 days`),
      },
    ]);
  });

  it('refuses steps whose bakes together pass the limit though each fits', () => {
    // Prepare
    const strategy = {
      type: 'steps',
      steps: [
        { percent: 10, bakeSeconds: 200 * 86_400 },
        { percent: 50, bakeSeconds: 200 * 86_400 + 3600 },
      ],
    };
    // Act
    const result = strategySchema.safeParse(strategy);
    // Assess
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('bakes 400 days 1 h (34563600 s) in all');
  });

  it('takes a strategy that bakes exactly the longest allowed', () => {
    // Prepare
    const strategy = { type: 'linear' as const, percent: 50, bakeSeconds: MAX_TOTAL_BAKE_SECONDS };
    // Act
    const parsed = strategySchema.parse(strategy);
    // Assess
    expect(totalBakeSeconds(parsed)).toBe(MAX_TOTAL_BAKE_SECONDS);
  });

  it('takes a long bake even past the bake-tick budget: ticks stretch, the execution does not', () => {
    expect(strategySchema.safeParse({ type: 'canary', percent: 10, bakeSeconds: 90 * 86_400 }).success).toBe(true);
  });

  it('still reports a bad percent, without planning endless steps', () => {
    expect(strategySchema.safeParse({ type: 'linear', percent: 0, bakeSeconds: 60 }).success).toBe(false);
  });
});
