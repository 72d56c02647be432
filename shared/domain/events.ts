/**
 * The events slipway publishes on its EventBridge bus (`source: "slipway"`), one per change of a
 * deployment record: "Deployment Status Changed" whenever its status changes (from nothing when it
 * is created), "Deployment Traffic Shifted" whenever the share of traffic on the new release
 * changes. The detail schemas below are the published contract (docs/EVENTS.md): the publisher
 * builds every detail through them, and a consumer can validate with them.
 *
 * Versioning: `schemaVersion` is 1. Fields may be added within a version; a field is never removed,
 * renamed or retyped without a new version.
 */
import { z } from 'zod';
import { ACTIVE_STATUSES, TERMINAL_STATUSES, TRIGGERS, isTerminal, type Deployment } from './deployment.js';

export const EVENT_SOURCE = 'slipway';
export const STATUS_CHANGED = 'Deployment Status Changed';
export const TRAFFIC_SHIFTED = 'Deployment Traffic Shifted';
export const EVENT_SCHEMA_VERSION = 1;

export const DEPLOYMENT_STATUSES = [...ACTIVE_STATUSES, ...TERMINAL_STATUSES] as const;
export const deploymentStatusSchema = z.enum(DEPLOYMENT_STATUSES);

const isoTime = z.string().datetime({ offset: true });

/** What both detail types carry: the deployment as it is after the change. */
const deploymentFields = {
  schemaVersion: z.literal(EVENT_SCHEMA_VERSION),
  deploymentId: z.string().min(1),
  target: z.string().min(1),
  release: z.string().min(1),
  trigger: z.enum(TRIGGERS),
  status: deploymentStatusSchema,
  /** Share of traffic (0–100) on the new release. */
  trafficPercent: z.number().int().min(0).max(100),
  /** The version (function) or release (site) live before the deployment. */
  fromVersion: z.string().nullable(),
  /** The version (function) or release (site) being deployed. */
  toVersion: z.string().nullable(),
  reason: z.string().nullable(),
  requestedBy: z.string().nullable(),
  requestedAt: isoTime,
  startedAt: isoTime,
  endedAt: isoTime.nullable(),
  /** When the change was recorded. */
  at: isoTime,
};

export const statusChangedDetailSchema = z
  .object({
    ...deploymentFields,
    /** null when the record was created with this status. */
    previousStatus: deploymentStatusSchema.nullable(),
    /** true for succeeded, rolled_back, failed, cancelled, superseded: the deployment is over. */
    terminal: z.boolean(),
  })
  .strict();

export const trafficShiftedDetailSchema = z
  .object({
    ...deploymentFields,
    previousTrafficPercent: z.number().int().min(0).max(100),
  })
  .strict();

export type StatusChangedDetail = z.infer<typeof statusChangedDetailSchema>;
export type TrafficShiftedDetail = z.infer<typeof trafficShiftedDetailSchema>;

export type SlipwayEvent =
  | { detailType: typeof STATUS_CHANGED; detail: StatusChangedDetail }
  | { detailType: typeof TRAFFIC_SHIFTED; detail: TrafficShiftedDetail };

/** The EventBridge rule pattern that selects status changes (the notify function's rule). */
export const STATUS_CHANGED_PATTERN = { source: [EVENT_SOURCE], 'detail-type': [STATUS_CHANGED] };

function common(after: Deployment) {
  return {
    schemaVersion: EVENT_SCHEMA_VERSION,
    deploymentId: after.id,
    target: after.target,
    release: after.release,
    trigger: after.trigger,
    status: after.status,
    trafficPercent: after.trafficPercent,
    fromVersion: after.fromVersion ?? null,
    toVersion: after.toVersion ?? null,
    reason: after.reason ?? null,
    requestedBy: after.requestedBy ?? null,
    requestedAt: after.requestedAt,
    startedAt: after.startedAt,
    endedAt: after.endedAt ?? null,
    at: after.updatedAt,
  };
}

/**
 * The events one write to a deployment record means, traffic first: a status change (or a new
 * record), a change of the traffic share. A deployment that changes nothing (its release was
 * already live: from and to are the same version) shifts no traffic, whatever its record says.
 * Every detail is parsed with its schema, so nothing leaves that the contract does not describe.
 */
export function eventsForChange(before: Deployment | undefined, after: Deployment): SlipwayEvent[] {
  const events: SlipwayEvent[] = [];
  const previousTraffic = before?.trafficPercent ?? 0;
  const noop = after.fromVersion !== undefined && after.fromVersion === after.toVersion;
  if (after.trafficPercent !== previousTraffic && !noop) {
    events.push({
      detailType: TRAFFIC_SHIFTED,
      detail: trafficShiftedDetailSchema.parse({ ...common(after), previousTrafficPercent: previousTraffic }),
    });
  }
  if (!before || before.status !== after.status) {
    events.push({
      detailType: STATUS_CHANGED,
      detail: statusChangedDetailSchema.parse({ ...common(after), previousStatus: before?.status ?? null, terminal: isTerminal(after.status) }),
    });
  }
  return events;
}

// ---- Promotion Eligible (issue 11, auto-promotion) -----------------------------------------
// Published by the PromoteDownstream step once a release has soaked on the upstream for a
// downstream target's `promotion.soakSeconds` and is still live there (not rolled back, not
// replaced). Whether the downstream then promotes by itself is its `promotion.auto`.

export const PROMOTION_ELIGIBLE = 'Promotion Eligible';

export const promotionEligibleDetailSchema = z
  .object({
    schemaVersion: z.literal(EVENT_SCHEMA_VERSION),
    /** The downstream target the release may now be promoted into. */
    target: z.string().min(1),
    /** The upstream target it passed (the downstream's promotion.from). */
    from: z.string().min(1),
    release: z.string().min(1),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    /** The upstream deployment that took the release live. */
    upstreamDeploymentId: z.string().min(1),
    /** When it was found eligible. */
    at: isoTime,
  })
  .strict();

export type PromotionEligibleDetail = z.infer<typeof promotionEligibleDetailSchema>;
