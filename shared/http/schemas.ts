/**
 * Schemas of the API's own requests and answers. Target configs are validated by the domain schema
 * (shared/domain/target.ts); these cover the rest. Strict: an unknown field is an error, not ignored.
 */
import { z } from 'zod';
import { configurationChangeSchema } from '../domain/configuration.js';
import { releaseNameSchema as releaseName, targetNameSchema as targetName } from '../domain/names.js';
import { appTargetSchema, functionTargetSchema, siteTargetSchema, targetSchema } from '../domain/target.js';
import { deploymentViewSchema } from './control-schemas.js';

/** Step Functions executions last a year at most; a scheduled start must leave room to deploy. */
const MAX_SCHEDULE_DAYS = 360;

/** A scheduled start: ISO 8601 with an offset, in the future, within what a deployment can wait. */
export const notBeforeSchema = z
  .string()
  .datetime({ offset: true, message: 'must be an ISO 8601 time with an offset, such as 2026-12-01T02:00:00+01:00' })
  .refine((value) => Date.parse(value) > Date.now() - 60_000, 'is in the past; leave it out to deploy now')
  .refine(
    (value) => Date.parse(value) < Date.now() + MAX_SCHEDULE_DAYS * 86_400_000,
    `is more than ${MAX_SCHEDULE_DAYS} days ahead, longer than a deployment can wait`,
  );

const forceReasonText = z.string().trim().min(1, 'must not be empty').max(1000, 'must be at most 1000 characters');

/**
 * `POST /deployments`: deploy a release already uploaded to the artifact bucket, now or not before a
 * time. `force` (with a `reason`, required with it) is break-glass past a promotion gate: a target
 * with `promotion.from` otherwise takes releases only by promotion.
 */
export const deployRequestSchema = z
  .object({
    target: targetName,
    release: releaseName,
    notBefore: notBeforeSchema.optional(),
    force: z.boolean().optional(),
    reason: forceReasonText.optional(),
  })
  .strict()
  .superRefine((request, ctx) => {
    if (request.force && !request.reason) {
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'is required with force: say why the promotion gate is bypassed' });
    }
    if (request.reason && !request.force) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'goes with force: true; leave it out otherwise' });
  });

/** `POST /targets/{name}/rollback`: to the previous release, or to a named one. */
export const rollbackRequestSchema = z.object({ release: releaseName.optional() }).strict();

export const DEFAULT_HISTORY_LIMIT = 20;
export const MAX_HISTORY_LIMIT = 100;

/** `GET /targets/{name}/deployments?limit=N`. Wrapped in `query` so issues read `query.limit`. */
export const historyQuerySchema = z
  .object({
    query: z.object({ limit: z.coerce.number().int().min(1).max(MAX_HISTORY_LIMIT).default(DEFAULT_HISTORY_LIMIT) }).strict(),
  })
  .strict();

/**
 * `PUT /targets/{name}`: a target config as the domain schema takes it, except that `name` may be
 * left out: the path names the target (and a `name` that is given must equal it).
 */
export const targetConfigRequestSchema = z.discriminatedUnion('kind', [
  functionTargetSchema.extend({ name: functionTargetSchema.shape.name.optional() }),
  siteTargetSchema.extend({ name: siteTargetSchema.shape.name.optional() }),
  appTargetSchema.extend({ name: appTargetSchema.shape.name.optional() }),
]);

/** `GET /targets`: every registered target, defaults filled in. */
export const targetListSchema = z.object({ targets: z.array(targetSchema) }).strict();

/** `GET /targets/{name}/deployments`: newest first. */
export const targetDeploymentsSchema = z.object({ deployments: z.array(deploymentViewSchema) }).strict();

/** `PUT /targets/{name}?dryRun=true`: validate and say what would happen; store nothing, start nothing. */
export const targetApplyQuerySchema = z
  .object({
    query: z.object({ dryRun: z.enum(['true', 'false'], { message: 'must be true or false' }).optional() }).strict(),
  })
  .strict();

/**
 * `PUT /targets/{name}`: the stored target and what became of its configuration. A change of
 * `configuration` (functions) or `runtimeConfig` (sites) alone deploys the live release again with
 * it (202, `deployment`); otherwise nothing starts (200) and `why` says what happens instead.
 */
export const targetAppliedSchema = z
  .object({
    target: targetSchema,
    dryRun: z.boolean(),
    configurationChanges: z.array(configurationChangeSchema),
    deploys: z.boolean(),
    release: z.string().nullable(),
    deployment: deploymentViewSchema.nullable(),
    why: z.string(),
    /** What the target names that does not exist, or could not be checked; the target is applied anyway. */
    warnings: z.array(z.string()).optional(),
  })
  .strict();
