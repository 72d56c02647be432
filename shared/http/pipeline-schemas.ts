/** The schema of `GET /targets/{name}/pipeline`: the chain of environments a target belongs to (shared/usecases/pipeline.ts). */
import { z } from 'zod';
import { promotionSchema } from '../domain/promotion.js';
import { deploymentStatusSchema } from '../domain/events.js';

const instant = z.string().refine((text) => Number.isFinite(Date.parse(text)), 'must be an ISO 8601 time');

const pipelineCandidateSchema = z
  .object({
    release: z.string(),
    sha256: z.string(),
    /** eligible, soaking (not yet), rolled_back or replaced (never, upstream). */
    state: z.enum(['eligible', 'soaking', 'rolled_back', 'replaced']),
    why: z.string(),
    liveSince: instant,
    eligibleAt: instant,
    upstreamDeploymentId: z.string(),
    /** The same release (name and sha256) is already live in this environment. */
    alreadyLive: z.boolean(),
  })
  .strict();

export const pipelineEnvironmentSchema = z
  .object({
    name: z.string(),
    kind: z.enum(['function', 'site', 'app']),
    /** The upstream environment (promotion.from); null at the root. */
    from: z.string().nullable(),
    promotion: promotionSchema.nullable(),
    /** The newest succeeded deployment's release; null when none succeeded yet. */
    live: z
      .object({
        release: z.string(),
        sha256: z.string().nullable(),
        /** The configuration digest it went live with; null when none was recorded. */
        configDigest: z.string().nullable(),
        since: instant,
        deploymentId: z.string(),
      })
      .strict()
      .nullable(),
    running: z.object({ id: z.string(), release: z.string(), status: deploymentStatusSchema, trafficPercent: z.number() }).strict().nullable(),
    /** What a promotion would take now (candidate null: nothing), and why; null at the root. */
    next: z.object({ candidate: pipelineCandidateSchema.nullable(), why: z.string() }).strict().nullable(),
    /** The upstream's newest releases as they stand for this environment (at most 5). */
    candidates: z.array(pipelineCandidateSchema),
    /** Promotions waiting for a person's approve or reject. */
    awaitingApproval: z.array(z.object({ id: z.string(), release: z.string(), requestedBy: z.string().nullable(), requestedAt: instant }).strict()),
  })
  .strict();

export const pipelineViewSchema = z
  .object({
    target: z.string(),
    root: z.string(),
    /** Root first, then level by level, each level by name; at most 20 (the target's own way up always among them). */
    environments: z.array(pipelineEnvironmentSchema),
    /** Environments of the chain beyond the 20 shown. */
    omitted: z.number().int().min(0),
    /** What is wrong with the chain itself: a loop, an upstream that is not registered. */
    problems: z.array(z.string()),
  })
  .strict();
