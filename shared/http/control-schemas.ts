/**
 * Schemas of the operator's controls and history: cancel, promote, the deployment listing and the
 * timeline. Requests are strict (an unknown field is an error); responses are what the handlers
 * send, checked against these before they leave.
 */
import { z } from 'zod';
import { configurationChangeSchema } from '../domain/configuration.js';
import { ACTIVE_STATUSES, TERMINAL_STATUSES, TRIGGERS, type Trigger } from '../domain/deployment.js';
import { targetNameSchema as targetName } from '../domain/names.js';

const STATUSES = [...ACTIVE_STATUSES, ...TERMINAL_STATUSES] as const;
const statusSchema = z.enum(STATUSES);
const reasonText = z.string().trim().min(1, 'must not be empty').max(1000, 'must be at most 1000 characters');

/** `POST /deployments/{id}/cancel`: an optional reason, recorded with who asked. */
export const cancelRequestSchema = z.object({ reason: reasonText.optional() }).strict();

/** `POST /deployments/{id}/promote`: why the rest of the bake may be skipped (required). */
export const promoteRequestSchema = z.object({ reason: reasonText }).strict();

export const DEFAULT_LIST_LIMIT = 20;
export const MAX_LIST_LIMIT = 100;
const STATUS_LIST = new RegExp(`^(${STATUSES.join('|')})(,(${STATUSES.join('|')}))*$`);
const TRIGGER_LIST = new RegExp(`^(${TRIGGERS.join('|')})(,(${TRIGGERS.join('|')}))*$`);

/**
 * `GET /deployments?target=&status=&trigger=&since=&until=&limit=&cursor=`. `status` and `trigger`
 * take one value or several, comma-separated (`status=succeeded,rolled_back`, or the parameter
 * repeated); `since` is `<N>d` or an ISO 8601 time, `until` an ISO 8601 time (by when deployments
 * were requested). Wrapped in `query` so issues read `query.status`.
 */
export const deploymentsQuerySchema = z
  .object({
    query: z
      .object({
        target: targetName.optional(),
        status: z
          .string()
          .regex(STATUS_LIST, `must be one or more of ${STATUSES.join(', ')}, comma-separated`)
          .optional(),
        trigger: z
          .string()
          .regex(TRIGGER_LIST, `must be one or more of ${TRIGGERS.join(', ')}, comma-separated`)
          .optional(),
        since: z.string().min(1).max(64).optional(),
        until: z.string().min(1).max(64).optional(),
        limit: z.coerce.number().int().min(1).max(MAX_LIST_LIMIT).default(DEFAULT_LIST_LIMIT),
        cursor: z.string().min(1).max(2048).optional(),
      })
      .strict(),
  })
  .strict();

export function triggersOf(trigger: string | undefined): Trigger[] | undefined {
  return trigger ? ([...new Set(trigger.split(','))] as Trigger[]) : undefined;
}

export function statusesOf(status: string | undefined): z.infer<typeof statusSchema>[] | undefined {
  return status ? [...new Set(status.split(','))].map((s) => statusSchema.parse(s)) : undefined;
}

/** What one version did over a canary step. */
const versionEvidenceSchema = z.object({
  version: z.string(),
  invocations: z.number().int(),
  errors: z.number().int(),
  throttles: z.number().int(),
  p99DurationMs: z.number().optional(),
});

/** One entry of a deployment's timeline (shared/domain/deployment.ts TimelineEntry). */
export const timelineEntrySchema = z.object({
  at: z.string(),
  step: z.string(),
  status: statusSchema.optional(),
  trafficPercent: z.number().optional(),
  message: z.string().optional(),
  requestedBy: z.string().optional(),
  reason: z.string().optional(),
  health: z.enum(['passed', 'failed']).optional(),
  error: z.string().optional(),
  /** On the marker entry of a bounded timeline: how many entries were left out there. */
  dropped: z.number().int().optional(),
  /** On an evidence check of a canary (docs/analysis.md): what each version did and the verdict. */
  evidence: z
    .object({
      outcome: z.enum(['pass', 'fail', 'inconclusive']),
      /** Real traffic through the alias. */
      canary: versionEvidenceSchema,
      /** The canary's synthetic invocations over the step (health.synthetic), judged together with `canary`. */
      synthetic: z.object({ invocations: z.number().int(), errors: z.number().int(), throttles: z.number().int().optional() }).optional(),
      baseline: versionEvidenceSchema.optional(),
      probabilityWorse: z.number().optional(),
      durationRatio: z.number().optional(),
    })
    .optional(),
});

/** A deployment as the API returns it (shared/domain/deployment.ts DeploymentView). */
export const deploymentViewSchema = z.object({
  id: z.string(),
  target: z.string(),
  release: z.string(),
  status: statusSchema,
  trigger: z.enum(TRIGGERS),
  fromVersion: z.string().nullable(),
  toVersion: z.string().nullable(),
  trafficPercent: z.number(),
  requestedAt: z.string(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  reason: z.string().nullable(),
  sha256: z.string().nullable(),
  notBefore: z.string().nullable(),
  startsAt: z.string().nullable(),
  /** True on a rollback to what was live before slipway's first deployment (a release slipway did not deploy). */
  preSlipway: z.literal(true).optional(),
  /** Who asked for it: the IAM principal (or `jwt:<sub>`) of an API call; absent for an upload or when unknown. */
  requestedBy: z.string().optional(),
  /** The configuration the deployment releases (functions with `configuration`, sites with `runtimeConfig`); secrets appear as reference@version only. */
  configuration: z
    .object({
      digest: z.string(),
      fromDigest: z.string().nullable(),
      changes: z.array(configurationChangeSchema),
    })
    .nullable(),
  /** A promotion: the upstream target and the deployment that took the release live there. */
  promotion: z.object({ from: z.string(), upstreamDeploymentId: z.string() }).optional(),
  /** A promotion behind `approval: "required"`: pending until someone approves or rejects it. */
  approval: z
    .object({ state: z.enum(['pending', 'approved', 'rejected']), by: z.string().optional(), reason: z.string().optional(), at: z.string().optional() })
    .optional(),
  /** Break-glass past a promotion gate: who forced the release (when known) and why. */
  forcedBy: z.string().optional(),
  forceReason: z.string().optional(),
  /** Apps: per component, its versions (functions) or site releases, and whether this release changes it. */
  components: z
    .record(
      z.string(),
      z.discriminatedUnion('kind', [
        z.object({
          kind: z.literal('function'),
          function: z.string(),
          fromVersion: z.string().optional(),
          toVersion: z.string().optional(),
          changed: z.boolean(),
          sha256: z.string().optional(),
        }),
        z.object({ kind: z.literal('site'), fromRelease: z.string().optional(), toRelease: z.string().optional(), changed: z.boolean() }),
      ]),
    )
    .optional(),
  timeline: z.array(timelineEntrySchema),
});

/** `GET /deployments`: newest first; `nextCursor` is null on the last page. */
export const deploymentListSchema = z.object({
  deployments: z.array(deploymentViewSchema),
  nextCursor: z.string().nullable(),
});

/**
 * `GET /deployments/{id}/events`: the timeline, oldest first. Named for what it is, a timeline:
 * `DeploymentEvents` is the event-bus port (shared/ports).
 */
export const deploymentTimelineSchema = z.object({
  deploymentId: z.string(),
  status: statusSchema,
  events: z.array(timelineEntrySchema),
});
