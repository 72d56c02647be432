import { z } from 'zod';
import { MAX_TOTAL_BAKE_SECONDS, strategySchema, type TrafficStep } from './strategy.js';

/**
 * A site canary goes through CloudFront continuous deployment (docs/sites.md): a staging
 * distribution serves the new release, and a continuous-deployment policy on the primary sends it
 * a share of viewers by weight (CloudFront allows at most 15%) or the viewers whose requests carry
 * a header. CloudFront's rules, which slipway checks before it changes anything:
 * - a SingleWeight policy's weight is 0 to 0.15;
 * - a SingleHeader policy's header name starts with `aws-cf-cd-`;
 * - session stickiness keeps a viewer on one side: IdleTTL and MaximumTTL are 300–3600 s, IdleTTL ≤ MaximumTTL.
 */
export const SITE_CANARY_MAX_PERCENT = 15;
export const STICKINESS_MIN_SECONDS = 300;
export const STICKINESS_MAX_SECONDS = 3600;
/** Header names CloudFront's SingleHeaderConfig accepts: the `aws-cf-cd-` prefix and a token after it. */
export const CD_HEADER_NAME = /^aws-cf-cd-[a-z0-9][a-z0-9-]{0,63}$/;

const bakeSeconds = z.number().int().min(0).max(MAX_TOTAL_BAKE_SECONDS);
const stickySeconds = z.number().int().min(STICKINESS_MIN_SECONDS).max(STICKINESS_MAX_SECONDS);

const stickiness = z
  .object({
    /** A session ends when the viewer sends nothing for this long. */
    idleSeconds: stickySeconds.default(300),
    /** A session ends this long after it began, however busy. */
    maxSeconds: stickySeconds.default(600),
  })
  .strict()
  .refine((s) => s.idleSeconds <= s.maxSeconds, 'idleSeconds must be at most maxSeconds (CloudFront: IdleTTL ≤ MaximumTTL)');

const weighted = z
  .object({
    type: z.literal('canary'),
    percent: z
      .number()
      .int()
      .min(1)
      .max(
        SITE_CANARY_MAX_PERCENT,
        `a site canary sends at most ${SITE_CANARY_MAX_PERCENT}% of viewers to the new release (CloudFront continuous deployment's largest weight is 0.15); use a percent from 1 to 15, or a header`,
      ),
    bakeSeconds,
    stickiness: stickiness.default({}),
  })
  .strict();

const headerSelected = z
  .object({
    type: z.literal('canary'),
    header: z
      .object({
        name: z
          .string()
          .transform((n) => n.toLowerCase())
          .pipe(
            z
              .string()
              .regex(
                CD_HEADER_NAME,
                'must start with "aws-cf-cd-" followed by letters, digits or "-" (CloudFront continuous deployment selects the staging distribution only by such a header), e.g. "aws-cf-cd-canary"',
              ),
          ),
        value: z
          .string()
          .min(1)
          .max(256)
          .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces'),
      })
      .strict(),
    bakeSeconds,
  })
  .strict();

export type SiteCanaryStrategy = z.infer<typeof weighted> | z.infer<typeof headerSelected>;

/** A site's strategy: all at once (the default) or one canary through continuous deployment. */
export const siteStrategySchema = z
  .unknown()
  .superRefine((value, ctx) => {
    const result = parseSiteStrategy(value);
    if (!result.success) for (const issue of result.issues) ctx.addIssue(issue);
  })
  .transform((value) => parseSiteStrategy(value).data ?? 'AllAtOnce');

export type SiteStrategy = 'AllAtOnce' | SiteCanaryStrategy;

/** The shapes siteStrategySchema accepts, for documents (OpenAPI); siteStrategySchema's own errors say which was meant. */
export const siteStrategyShape = z.union([z.literal('AllAtOnce'), weighted, headerSelected]);

function parseSiteStrategy(value: unknown): { success: boolean; data?: SiteStrategy; issues: z.IssueData[] } {
  if (value === 'AllAtOnce') return { success: true, data: 'AllAtOnce', issues: [] };
  const fail = (message: string, path: (string | number)[] = []) => ({
    success: false,
    issues: [{ code: z.ZodIssueCode.custom, message, path } as z.IssueData],
  });
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    if (v.type === 'canary') {
      const parsed = 'header' in v ? headerSelected.safeParse(v) : weighted.safeParse(v);
      if (parsed.success) return { success: true, data: parsed.data, issues: [] };
      return { success: false, issues: parsed.error.issues.map((i) => ({ ...i, path: i.path }) as z.IssueData) };
    }
    if (v.type === 'linear' || v.type === 'steps') {
      return fail(
        `a site takes "AllAtOnce" or one canary step ({"type": "canary", "percent": 1–15, "bakeSeconds": …} or {"type": "canary", "header": {"name": "aws-cf-cd-…", "value": …}, "bakeSeconds": …}); ${v.type} needs several weights, and CloudFront continuous deployment holds one`,
        ['type'],
      );
    }
  }
  if (strategySchema.safeParse(value).success) {
    return fail(
      `a site takes "AllAtOnce" or a canary through CloudFront continuous deployment ({"type": "canary", "percent": 1–15, "bakeSeconds": …}); ${JSON.stringify(value)} is a function strategy`,
    );
  }
  return fail(
    'must be "AllAtOnce" or {"type": "canary", "percent": 1–15, "bakeSeconds": …} or {"type": "canary", "header": {"name": "aws-cf-cd-…", "value": …}, "bakeSeconds": …}',
  );
}

/** What the continuous-deployment policy says, in CloudFront's terms. */
export type SiteTrafficConfig =
  | { type: 'SingleWeight'; weight: number; idleTtl: number; maximumTtl: number }
  | { type: 'SingleHeader'; header: string; value: string };

export function siteTrafficConfig(strategy: SiteCanaryStrategy): SiteTrafficConfig {
  if ('header' in strategy) return { type: 'SingleHeader', header: strategy.header.name, value: strategy.header.value };
  return { type: 'SingleWeight', weight: strategy.percent / 100, idleTtl: strategy.stickiness.idleSeconds, maximumTtl: strategy.stickiness.maxSeconds };
}

/**
 * The steps of a site canary: the staged share for the bake, then everyone. A header-selected
 * canary carries no viewer weight: its step is recorded as 0% of viewers by weight.
 */
export function planSiteSteps(strategy: SiteStrategy): TrafficStep[] {
  const full: TrafficStep = { percent: 100, bakeSeconds: 0 };
  if (strategy === 'AllAtOnce') return [full];
  return [{ percent: 'header' in strategy ? 0 : strategy.percent, bakeSeconds: strategy.bakeSeconds }, full];
}

/** How the timeline says who sees the new release, e.g. `10% of viewers on release r7 through staging distribution E2…, sticky for 300 s`. */
export function describeSiteCanary(strategy: SiteCanaryStrategy, release: string, stagingDistributionId: string): string {
  if ('header' in strategy) {
    return `viewers sending ${strategy.header.name}: ${strategy.header.value} on release ${release} through staging distribution ${stagingDistributionId}`;
  }
  return `${strategy.percent}% of viewers on release ${release} through staging distribution ${stagingDistributionId}, sticky for ${strategy.stickiness.idleSeconds} s (at most ${strategy.stickiness.maxSeconds} s)`;
}
