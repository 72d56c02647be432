import { z } from 'zod';
import { TERMINAL_STATUSES } from './deployment.js';
import { ValidationError } from './errors.js';
import { deploymentStatusSchema } from './events.js';
import { linkLocalReason } from './probe-address.js';
import { strategySchema } from './strategy.js';
import { windowSchema } from './window.js';

export const TARGET_NAME = /^[a-z0-9][a-z0-9-]{0,47}$/;
export const RELEASE_NAME = /^[A-Za-z0-9._-]{1,128}$/;

const lambdaFunctionName = z
  .string()
  .regex(
    /^(arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:)?[A-Za-z0-9_-]{1,64}$/,
    'must be a Lambda function name or an unqualified function ARN',
  );

/** The longest a probe waits for its answer (body included): the checkHealth function outlasts it. */
export const PROBE_MAX_TIMEOUT_MS = 60_000;

const probeSchema = z
  .object({
    url: z.string().url().refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL'),
    expectStatus: z.number().int().min(100).max(599).default(200),
    timeoutMs: z.number().int().min(100).max(PROBE_MAX_TIMEOUT_MS).default(3000),
    /** Probe a link-local or instance metadata address (169.254.0.0/16, fe80::/10, fd00:ec2::254) anyway. */
    allowLinkLocal: z.boolean().optional(),
  })
  .strict()
  .superRefine((probe, ctx) => {
    const why = probe.allowLinkLocal || !URL.canParse(probe.url) ? undefined : linkLocalReason(new URL(probe.url).hostname);
    if (why) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['url'], message: `${why}: slipway does not probe it unless health.probe.allowLinkLocal is true` });
  });

export const healthSchema = z
  .object({
    alarms: z.array(z.string().min(1).max(255)).max(50).default([]),
    probe: probeSchema.optional(),
    preTraffic: lambdaFunctionName.optional(),
    postTraffic: lambdaFunctionName.optional(),
    /** How often health is checked while a step bakes. */
    pollSeconds: z.number().int().min(1).max(3600).default(30),
  })
  .strict();

const cdnSchema = z
  .object({
    distributionId: z.string().regex(/^[A-Z0-9]{1,32}$/, 'must be a CloudFront distribution id such as E2QWRUHAPOMQZL'),
    paths: z
      .array(z.string().regex(/^\/[^*]*\*?$/, 'must start with "/" and may only end with "*"'))
      .min(1)
      .max(15),
  })
  .strict();

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** https anywhere; plain http only to this machine (dev mode, tests). */
export function isAllowedWebhookUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
}

/**
 * Optional per-target notifications: a webhook (Slack incoming webhook or anything that takes the
 * same JSON) posted on the listed status changes, by default when a deployment ends.
 */
export const notificationsSchema = z
  .object({
    webhook: z
      .object({
        url: z
          .string()
          .max(2048)
          .refine(isAllowedWebhookUrl, 'must be an https URL (plain http only for 127.0.0.1 or localhost)'),
        events: z
          .array(deploymentStatusSchema)
          .min(1)
          .max(10)
          .refine((list) => new Set(list).size === list.length, 'must not list a status twice')
          .default([...TERMINAL_STATUSES]),
      })
      .strict()
      .optional(),
  })
  .strict();

export const functionTargetSchema = z
  .object({
    name: z.string().regex(TARGET_NAME, 'must match [a-z0-9][a-z0-9-]{0,47}'),
    kind: z.literal('function'),
    function: z
      .object({
        name: lambdaFunctionName,
        alias: z
          .string()
          .regex(/^(?!\d+$)[A-Za-z0-9_-]{1,128}$/, 'must be a Lambda alias name (not a number)')
          .default('live'),
      })
      .strict(),
    strategy: strategySchema.default('AllAtOnce'),
    health: healthSchema.default({}),
    cdn: cdnSchema.optional(),
    /** Published versions kept besides the ones an alias points to. */
    keepVersions: z.number().int().min(1).max(1000).default(10),
    notifications: notificationsSchema.optional(),
    /** When releases may go live; none: at once. */
    window: windowSchema.optional(),
  })
  .strict();

const bucketName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name');

export const siteTargetSchema = z
  .object({
    name: z.string().regex(TARGET_NAME, 'must match [a-z0-9][a-z0-9-]{0,47}'),
    kind: z.literal('site'),
    site: z
      .object({
        bucket: bucketName,
        /** Releases go to `<prefix><release>/`; '' or segments ending in '/', e.g. 'www/'. */
        prefix: z
          .string()
          .regex(/^([A-Za-z0-9._-]+\/)*$/, 'must be empty or end with "/", e.g. "www/"')
          .refine((p) => !p.split('/').some((segment) => segment === '.' || segment === '..' || segment === '.slipway'), 'must not contain "." , ".." or ".slipway" segments')
          .default(''),
        distributionId: z.string().regex(/^[A-Z0-9]{1,32}$/, 'must be a CloudFront distribution id such as E2QWRUHAPOMQZL'),
      })
      .strict(),
    /** First matching rule wins; files no rule matches get the defaults (see docs). */
    cacheControl: z
      .array(z.object({ match: z.string().min(1).max(256), value: z.string().min(1).max(256) }).strict())
      .max(50)
      .default([]),
    health: healthSchema.default({}),
    /** Release prefixes kept; the live and the previous release are always kept. */
    keepReleases: z.number().int().min(2).max(1000).default(10),
    limits: z
      .object({
        maxEntries: z.number().int().min(1).max(1_000_000).default(100_000),
        maxUncompressedBytes: z.number().int().min(1).max(5 * 1024 ** 4).default(5 * 1024 ** 3),
        maxCompressionRatio: z.number().min(2).max(10_000).default(100),
      })
      .strict()
      .default({}),
    staging: z
      .object({
        /** Entries per staging Task; a larger site fans out over more Map iterations. */
        chunkEntries: z.number().int().min(50).max(100_000).default(2000),
        /** Files uploaded at once within one Task. */
        concurrency: z.number().int().min(1).max(64).default(8),
      })
      .strict()
      .default({}),
    notifications: notificationsSchema.optional(),
    /** When releases may go live; none: at once. */
    window: windowSchema.optional(),
  })
  .strict();

export const targetSchema = z.discriminatedUnion('kind', [functionTargetSchema, siteTargetSchema]);

export type Target = z.infer<typeof targetSchema>;
export type FunctionTarget = z.infer<typeof functionTargetSchema>;
export type SiteTarget = z.infer<typeof siteTargetSchema>;
export type TargetInput = z.input<typeof targetSchema>;

/** Converts zod issues into `path: message` pairs a person can act on. */
export function describeIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => {
    const path = issue.path.length === 0 ? '(root)' : issue.path.join('.');
    if (issue.code === 'unrecognized_keys') {
      return { path, message: `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}` };
    }
    if (issue.code === 'invalid_union_discriminator') {
      return { path, message: `must be one of ${issue.options.map((o) => JSON.stringify(o)).join(', ')}` };
    }
    if (issue.code === 'invalid_union') {
      return { path, message: 'must be one of the documented shapes (see docs: strategies)' };
    }
    return { path, message: issue.message };
  });
}

export function parseWith<T extends z.ZodTypeAny>(schema: T, input: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = describeIssues(result.error);
  const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  throw new ValidationError(`invalid ${what}: ${summary}`, issues);
}

/** Validates a target config; the error names every bad field by its path. */
export function parseTarget(input: unknown): Target {
  return parseWith(targetSchema, input, 'target');
}
