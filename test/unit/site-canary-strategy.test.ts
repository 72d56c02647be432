import { describe, expect, it } from 'vitest';
import { describeSiteCanary, planSiteSteps, siteTrafficConfig, type SiteCanaryStrategy } from '../../shared/domain/site-canary.js';
import { targetSchema } from '../../shared/domain/target.js';

const site = (strategy?: unknown) => ({
  name: 'www',
  kind: 'site',
  site: { bucket: 'www-bucket', distributionId: 'E2QWRUHAPOMQZL' },
  ...(strategy === undefined ? {} : { strategy }),
});

function messages(input: unknown): string {
  const parsed = targetSchema.safeParse(input);
  expect(parsed.success).toBe(false);
  return parsed.success ? '' : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
}

describe('a site target strategy', () => {
  it('stays all at once by default', () => {
    // Act
    const parsed = targetSchema.parse(site());
    // Assess
    expect(parsed.kind === 'site' && parsed.strategy).toBe('AllAtOnce');
  });

  it('takes a weighted canary with default stickiness and a header canary with its name lowered', () => {
    // Act
    const weighted = targetSchema.parse(site({ type: 'canary', percent: 10, bakeSeconds: 60 }));
    const header = targetSchema.parse(site({ type: 'canary', header: { name: 'AWS-CF-CD-Canary', value: 'yes' }, bakeSeconds: 30 }));
    // Assess
    expect(weighted.kind === 'site' && weighted.strategy).toEqual({
      type: 'canary',
      percent: 10,
      bakeSeconds: 60,
      stickiness: { idleSeconds: 300, maxSeconds: 600 },
    });
    expect(header.kind === 'site' && header.strategy).toEqual({ type: 'canary', header: { name: 'aws-cf-cd-canary', value: 'yes' }, bakeSeconds: 30 });
  });

  it('refuses more than 15%, linear, an invalid header name and stickiness outside CloudFront’s range, in words', () => {
    // Act
    const tooMuch = messages(site({ type: 'canary', percent: 20, bakeSeconds: 60 }));
    const linear = messages(site({ type: 'linear', percent: 10, bakeSeconds: 60 }));
    const badHeader = messages(site({ type: 'canary', header: { name: 'x-canary', value: 'yes' }, bakeSeconds: 60 }));
    const sticky = messages(site({ type: 'canary', percent: 5, bakeSeconds: 60, stickiness: { idleSeconds: 900, maxSeconds: 600 } }));
    const shortSticky = messages(site({ type: 'canary', percent: 5, bakeSeconds: 60, stickiness: { idleSeconds: 60 } }));
    // Assess
    expect(tooMuch).toMatch(/strategy\.percent: a site canary sends at most 15% .*0\.15/);
    expect(linear).toMatch(/strategy\.type: a site takes "AllAtOnce" or one canary step .*linear needs several weights/);
    expect(badHeader).toMatch(/strategy\.header\.name: must start with "aws-cf-cd-"/);
    expect(sticky).toMatch(/idleSeconds must be at most maxSeconds/);
    expect(shortSticky).toMatch(/strategy\.stickiness\.idleSeconds/);
  });

  it('is refused on an app’s site component, which switches with the app', () => {
    // Act
    const app = messages({
      name: 'shop',
      kind: 'app',
      components: { web: { site: { bucket: 'www-bucket', distributionId: 'E2QWRUHAPOMQZL' }, strategy: { type: 'canary', percent: 10, bakeSeconds: 60 } } },
    });
    // Assess
    expect(app).toMatch(/strategy/);
  });
});

describe('a site canary plan', () => {
  const weighted: SiteCanaryStrategy = { type: 'canary', percent: 10, bakeSeconds: 120, stickiness: { idleSeconds: 300, maxSeconds: 900 } };
  const header: SiteCanaryStrategy = { type: 'canary', header: { name: 'aws-cf-cd-canary', value: 'yes' }, bakeSeconds: 60 };

  it('bakes the staged share, then sends everyone', () => {
    // Act / Assess
    expect(planSiteSteps('AllAtOnce')).toEqual([{ percent: 100, bakeSeconds: 0 }]);
    expect(planSiteSteps(weighted)).toEqual([
      { percent: 10, bakeSeconds: 120 },
      { percent: 100, bakeSeconds: 0 },
    ]);
    expect(planSiteSteps(header)).toEqual([
      { percent: 0, bakeSeconds: 60 },
      { percent: 100, bakeSeconds: 0 },
    ]);
  });

  it('speaks CloudFront’s traffic config and says in the timeline who sees the release', () => {
    // Act / Assess
    expect(siteTrafficConfig(weighted)).toEqual({ type: 'SingleWeight', weight: 0.1, idleTtl: 300, maximumTtl: 900 });
    expect(siteTrafficConfig(header)).toEqual({ type: 'SingleHeader', header: 'aws-cf-cd-canary', value: 'yes' });
    expect(describeSiteCanary(weighted, 'r7', 'E1STAGING')).toBe(
      '10% of viewers on release r7 through staging distribution E1STAGING, sticky for 300 s (at most 900 s)',
    );
    expect(describeSiteCanary(header, 'r7', 'E1STAGING')).toBe('viewers sending aws-cf-cd-canary: yes on release r7 through staging distribution E1STAGING');
  });
});
