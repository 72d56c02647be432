/**
 * Schemas of the overview routes: every target at a glance (`GET /summary`) and delivery metrics
 * (`GET /metrics`). Queries are wrapped in `query` so issues read `query.since`.
 */
import { z } from 'zod';
import { ACTIVE_STATUSES, TERMINAL_STATUSES, TRIGGERS } from '../domain/deployment.js';
import { targetNameSchema } from '../domain/names.js';

const statusSchema = z.enum([...ACTIVE_STATUSES, ...TERMINAL_STATUSES]);
const instant = z.string().refine((text) => Number.isFinite(Date.parse(text)), 'must be an ISO 8601 time');
const share = z.object({ version: z.string(), percent: z.number() });

/** One target's summary (shared/domain/target-summary.ts). */
export const targetSummarySchema = z.object({
  name: z.string(),
  kind: z.enum(['function', 'site', 'app']),
  /** What the target serves: the newest succeeded deployment; null before any. */
  live: z
    .object({
      release: z.string(),
      /** Functions: the published version the alias points to. */
      version: z.string().optional(),
      /** Sites: the release prefix the distribution serves. */
      siteRelease: z.string().optional(),
      sha256: z.string().optional(),
      since: instant,
      by: z.string().optional(),
      deploymentId: z.string(),
    })
    .nullable(),
  /** The traffic split: all on `stable`, or `canary` taking its share while a deployment shifts. Functions by version, sites and apps by release. */
  traffic: z.object({ stable: share, canary: share.optional() }).nullable(),
  /** The deployment moving traffic, else the first one waiting (for the lock, its window or schedule). */
  running: z.object({ id: z.string(), release: z.string(), status: statusSchema, trafficPercent: z.number(), startedAt: instant }).nullable(),
  /** The newest finished deployment. */
  lastDeployment: z
    .object({
      id: z.string(),
      release: z.string(),
      status: statusSchema,
      startedAt: instant,
      endedAt: instant.optional(),
      reason: z.string().optional(),
      trigger: z.enum(TRIGGERS).optional(),
      by: z.string().optional(),
      fromVersion: z.string().optional(),
      toVersion: z.string().optional(),
    })
    .nullable(),
  /** open (until it closes), closed (until it opens), frozen (until the freeze ends), or none (no window: always open). */
  window: z.object({
    state: z.enum(['open', 'closed', 'frozen', 'none']),
    until: instant.optional(),
    timeZone: z.string().optional(),
    reason: z.string().optional(),
  }),
  /** Present for a target in a promotion chain: its upstream, the environments after it, and the promotions waiting for approval. */
  promotion: z
    .object({
      from: z.string().optional(),
      to: z.array(z.string()),
      waiting: z.array(z.object({ deploymentId: z.string().optional(), release: z.string(), since: instant })),
    })
    .optional(),
});

/** `GET /summary`. */
export const summarySchema = z.object({ targets: z.array(targetSummarySchema) });

/** `GET /metrics?target=&since=&until=`; the period's rules are the domain's (metricsPeriod). */
export const metricsQuerySchema = z
  .object({
    query: z
      .object({
        target: targetNameSchema.optional(),
        since: z.string().min(1).max(64).optional(),
        until: z.string().min(1).max(64).optional(),
      })
      .strict(),
  })
  .strict();

const metricsFields = {
  /** Deployments requested in the period, whatever became of them. */
  started: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  rolledBack: z.number().int(),
  /** Successful deployments per day of the period. */
  deploymentsPerDay: z.number(),
  /** From the release's arrival (upload or API call) to live, over successful deployments (rollbacks left out); null without any. */
  leadTimeSeconds: z.object({ median: z.number(), p90: z.number() }).nullable(),
  /** (failed + rolledBack) / started; null when nothing started. */
  changeFailureRate: z.number().nullable(),
  /** From a failed or rolled-back deployment to the next success on that target; null when nothing needed restoring. */
  timeToRestoreSeconds: z.object({ median: z.number(), max: z.number() }).nullable(),
  /** Per UTC date of the period, by the day the deployments were requested. */
  daily: z.array(z.object({ date: z.string(), succeeded: z.number().int(), failed: z.number().int(), rolledBack: z.number().int() })),
};

export const metricsSchema = z.object(metricsFields);

/** `GET /metrics`. */
export const deliveryMetricsSchema = z.object({
  since: instant,
  until: instant,
  /** False when the period held more deployments than one answer reads (5,000): the oldest are left out. */
  complete: z.boolean(),
  overall: metricsSchema,
  targets: z.array(z.object({ target: z.string(), ...metricsFields })),
});
