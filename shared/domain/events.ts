/**
 * The events slipway publishes on its EventBridge bus (`source: "slipway"`), one per change of a
 * deployment record: "Deployment Status Changed" whenever its status changes (from nothing when it
 * is created), "Deployment Traffic Shifted" whenever the share of traffic on the new release
 * changes, and for a promotion behind `approval: "required"`: "Promotion Awaiting Approval" when it
 * is recorded, then "Promotion Approved" or "Promotion Rejected". "Promotion Eligible" is published
 * by the automatic promotion step, not by a record change. The detail schemas below are the published contract (docs/EVENTS.md): the publisher
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
export const PROMOTION_AWAITING_APPROVAL = 'Promotion Awaiting Approval';
export const PROMOTION_APPROVED = 'Promotion Approved';
export const PROMOTION_REJECTED = 'Promotion Rejected';
/** Published by the automatic promotion step when a release has passed upstream (after its soak). */
export const PROMOTION_ELIGIBLE = 'Promotion Eligible';
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
  /** Apps only (docs/apps.md): each component's versions (functions) or site releases, and whether the release changes it. */
  components: z
    .record(
      z.string(),
      z.discriminatedUnion('kind', [
        z
          .object({
            kind: z.literal('function'),
            function: z.string(),
            fromVersion: z.string().optional(),
            toVersion: z.string().optional(),
            changed: z.boolean(),
            sha256: z.string().optional(),
          })
          .strict(),
        z.object({ kind: z.literal('site'), fromRelease: z.string().optional(), toRelease: z.string().optional(), changed: z.boolean() }).strict(),
      ]),
    )
    .optional(),
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

/** Where a promotion's release comes from: the upstream target and the deployment that took it live there. */
const promotionFields = {
  from: z.string().min(1),
  upstreamDeploymentId: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
};

/** Who decided on a promotion and why; `by` is null when the caller was not identified. */
const decisionSchema = z.object({ by: z.string().nullable(), reason: z.string().min(1), at: isoTime }).strict();

/** A promotion into a target with `approval: "required"` was recorded: it waits, with no execution, for an approve or reject. */
export const promotionAwaitingApprovalDetailSchema = z.object({ ...deploymentFields, ...promotionFields }).strict();

/** It was approved; its execution starts (the window and lock still apply). */
export const promotionApprovedDetailSchema = z.object({ ...deploymentFields, ...promotionFields, approval: decisionSchema }).strict();

/** It was rejected; the deployment ended `cancelled`. */
export const promotionRejectedDetailSchema = z.object({ ...deploymentFields, ...promotionFields, approval: decisionSchema }).strict();

/**
 * A release passed upstream (succeeded there and soaked): it may be promoted into `target`.
 * Published by the automatic promotion step, not derived from a record change.
 */
export const promotionEligibleDetailSchema = z
  .object({
    schemaVersion: z.literal(EVENT_SCHEMA_VERSION),
    /** The downstream (gated) target the release may go to. */
    target: z.string().min(1),
    /** The upstream target it passed on. */
    from: z.string().min(1),
    release: z.string().min(1),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    upstreamDeploymentId: z.string().min(1),
    /** When it became eligible (the end of its soak). */
    at: isoTime,
  })
  .strict();

export type StatusChangedDetail = z.infer<typeof statusChangedDetailSchema>;
export type TrafficShiftedDetail = z.infer<typeof trafficShiftedDetailSchema>;
export type PromotionAwaitingApprovalDetail = z.infer<typeof promotionAwaitingApprovalDetailSchema>;
export type PromotionApprovedDetail = z.infer<typeof promotionApprovedDetailSchema>;
export type PromotionRejectedDetail = z.infer<typeof promotionRejectedDetailSchema>;
export type PromotionEligibleDetail = z.infer<typeof promotionEligibleDetailSchema>;

export type SlipwayEvent =
  | { detailType: typeof STATUS_CHANGED; detail: StatusChangedDetail }
  | { detailType: typeof TRAFFIC_SHIFTED; detail: TrafficShiftedDetail }
  | { detailType: typeof PROMOTION_AWAITING_APPROVAL; detail: PromotionAwaitingApprovalDetail }
  | { detailType: typeof PROMOTION_APPROVED; detail: PromotionApprovedDetail }
  | { detailType: typeof PROMOTION_REJECTED; detail: PromotionRejectedDetail };

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
    ...(after.components ? { components: after.components } : {}),
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
  events.push(...approvalEvents(before, after));
  return events;
}

/** A promotion's approval: pending when recorded (awaiting), then approved or rejected, each once. */
function approvalEvents(before: Deployment | undefined, after: Deployment): SlipwayEvent[] {
  const was = before?.approval?.state;
  const now = after.approval?.state;
  if (!now || now === was || !after.promotion) return [];
  const promotion = { from: after.promotion.from, upstreamDeploymentId: after.promotion.upstreamDeploymentId, sha256: after.sha256 };
  if (now === 'pending') {
    return [{ detailType: PROMOTION_AWAITING_APPROVAL, detail: promotionAwaitingApprovalDetailSchema.parse({ ...common(after), ...promotion }) }];
  }
  if (was !== 'pending') return [];
  const approval = { by: after.approval?.by ?? null, reason: after.approval?.reason, at: after.approval?.at ?? after.updatedAt };
  return now === 'approved'
    ? [{ detailType: PROMOTION_APPROVED, detail: promotionApprovedDetailSchema.parse({ ...common(after), ...promotion, approval }) }]
    : [{ detailType: PROMOTION_REJECTED, detail: promotionRejectedDetailSchema.parse({ ...common(after), ...promotion, approval }) }];
}
