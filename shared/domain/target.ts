import { closestName, fieldsAt, literalChoices, meantBranch } from './schema-hints.js';
import { z } from 'zod';
import { TERMINAL_STATUSES } from './deployment.js';
import { boundedArray } from './bounds.js';
import { ValidationError } from './errors.js';
import { deploymentStatusSchema } from './events.js';
import { TARGET_NAME, TARGET_NAME_RULE, VISIBLE_NAME, VISIBLE_NAME_RULE } from './names.js';
import { linkLocalReason } from './probe-address.js';
import { siteStrategySchema } from './site-canary.js';
import { strategySchema } from './strategy.js';
import { windowSchema } from './window.js';
import { functionConfigurationSchema, siteRuntimeConfigSchema } from './configuration.js';
import { promotionSchema } from './promotion.js';

export { RELEASE_NAME, TARGET_NAME } from './names.js';

/**
 * A stored target is one DynamoDB item (at most 400 KB with its other attributes). Every field has
 * its own bound below; this one bounds their sum, so a config too large to store answers 400
 * naming the field instead of failing the write with a 500.
 */
export const MAX_TARGET_CONFIG_BYTES = 64 * 1024;

const lambdaFunctionName = z
  .string()
  .regex(/^(arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:)?[A-Za-z0-9_-]{1,64}$/, 'must be a Lambda function name or an unqualified function ARN');

/** The longest a probe waits for its answer (body included): the checkHealth function outlasts it. */
export const PROBE_MAX_TIMEOUT_MS = 60_000;

const probeSchema = z
  .object({
    url: z
      .string()
      .max(2048)
      .url()
      .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL'),
    expectStatus: z.number().int().min(100).max(599).default(200),
    timeoutMs: z.number().int().min(100).max(PROBE_MAX_TIMEOUT_MS).default(3000),
    /** Probe a link-local or instance metadata address (169.254.0.0/16, fe80::/10, fd00:ec2::254) anyway. */
    allowLinkLocal: z.boolean().optional(),
  })
  .strict()
  .superRefine((probe, ctx) => {
    const why = probe.allowLinkLocal || !URL.canParse(probe.url) ? undefined : linkLocalReason(new URL(probe.url).hostname);
    if (why)
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['url'], message: `${why}: slipway does not probe it unless health.probe.allowLinkLocal is true` });
  });

/** The longest one step of an evidence-judged canary may bake (docs/analysis.md). */
export const MAX_ANALYSIS_BAKE_SECONDS = 7 * 24 * 3600;

/**
 * A canary judged on the new version's own evidence (docs/analysis.md): a step's bake ends once the
 * canary has served `minInvocations` and the verdict is in (at least `bakeSeconds`, at most
 * `maxBakeSeconds`); `onInconclusive` decides what happens when the evidence stays too thin.
 */
export const analysisSchema = z
  .object({
    minInvocations: z.number().int().min(1).max(1_000_000_000).default(100),
    maxErrorRate: z.number().min(0).max(1).default(0.01),
    compare: z.enum(['baseline', 'threshold']).default('baseline'),
    confidence: z.number().min(0.5).max(0.9999).default(0.95),
    /** How much worse (absolute error rate) than the baseline the canary may be and still pass; half of maxErrorRate when absent. */
    margin: z.number().min(0).max(1).optional(),
    maxDurationRatio: z.number().min(1).max(100).optional(),
    maxBakeSeconds: z.number().int().min(1).max(MAX_ANALYSIS_BAKE_SECONDS).default(3600),
    onInconclusive: z.enum(['rollback', 'pause', 'extend']).default('rollback'),
  })
  .strict();

/** The largest synthetic event, as JSON: it rides in the workflow state with the target, at every Task. */
export const MAX_SYNTHETIC_EVENT_BYTES = 8 * 1024;
/** The longest slipway waits for one synthetic invocation (CheckHealth's bounded batch, docs/analysis.md). */
export const MAX_SYNTHETIC_TIMEOUT_MS = 10_000;

/**
 * Synthetic traffic for a canary nobody calls yet (docs/analysis.md § Synthetic traffic): during a
 * step judged on evidence, slipway invokes the canary version directly with `event`, about
 * `perMinute` times a minute; an answer whose `statusCode` is not `expect.statusCode`, and any
 * function error, counts as an error of the canary.
 */
export const syntheticSchema = z
  .object({
    event: z
      .record(z.unknown(), { invalid_type_error: 'must be a JSON object: the event each synthetic invocation sends to the function' })
      .refine(
        (event) => Buffer.byteLength(JSON.stringify(event), 'utf8') <= MAX_SYNTHETIC_EVENT_BYTES,
        `must be at most ${MAX_SYNTHETIC_EVENT_BYTES} bytes as JSON (it travels with the deployment's state); send a smaller event`,
      ),
    perMinute: z.number().int().min(1).max(600, 'must be at most 600 (ten invocations a second)').default(30),
    expect: z
      .object({
        /** The `statusCode` field the function's JSON answer must have (an API Gateway-style answer). */
        statusCode: z.number().int().min(100).max(599).optional(),
      })
      .strict()
      .default({}),
    /** How long one invocation may take before it counts as an error. */
    timeoutMs: z.number().int().min(100).max(MAX_SYNTHETIC_TIMEOUT_MS).default(3000),
  })
  .strict();

const alarmName = z.string().min(1).max(255).regex(VISIBLE_NAME, VISIBLE_NAME_RULE);

/**
 * A CloudWatch alarm the bake watches: its name, or `{ name, preexisting }`. An alarm already in
 * ALARM when a function's deployment starts blocks it (`block`, the default); `ignore` lets a
 * hotfix through and leaves that alarm out of this deployment's checks (docs/analysis.md).
 */
export const alarmRefSchema = z.union([alarmName, z.object({ name: alarmName, preexisting: z.enum(['block', 'ignore']).default('block') }).strict()]);
export type AlarmRef = z.infer<typeof alarmRefSchema>;

/** The names of a health block's alarms. */
export function alarmNames(alarms: readonly AlarmRef[]): string[] {
  return alarms.map((a) => (typeof a === 'string' ? a : a.name));
}

/** The alarms that may already fire when a deployment starts (`preexisting: "ignore"`). */
export function ignoredIfPreexisting(alarms: readonly AlarmRef[]): Set<string> {
  return new Set(alarms.flatMap((a) => (typeof a !== 'string' && a.preexisting === 'ignore' ? [a.name] : [])));
}

export const healthSchema = z
  .object({
    /** Judge canary steps on the new version's invocations and errors (function targets). */
    analysis: analysisSchema.optional(),
    /** Invoke the canary version directly during steps judged on evidence (function targets with `analysis`). */
    synthetic: syntheticSchema.optional(),
    alarms: boundedArray(alarmRefSchema, { max: 50 }).default([]),
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
    paths: boundedArray(
      z
        .string()
        .max(1024)
        .regex(/^\/[^*]*\*?$/, 'must start with "/" and may only end with "*"'),
      { min: 1, max: 15 },
    ),
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
        url: z.string().max(2048).refine(isAllowedWebhookUrl, 'must be an https URL (plain http only for 127.0.0.1 or localhost)'),
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
    name: z.string().regex(TARGET_NAME, TARGET_NAME_RULE),
    kind: z.literal('function'),
    function: z
      .object({
        name: lambdaFunctionName,
        alias: z
          .string()
          .max(128, 'must be a Lambda alias name (at most 128 characters)')
          // At least one character that is not a digit: an all-digit name would be a version number.
          .regex(/^[0-9]*[A-Za-z_-][A-Za-z0-9_-]*$/, 'must be a Lambda alias name (not a number)')
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
    /** What the function runs with besides its code, published with each version (docs/environments.md). None: slipway leaves it as it is. */
    configuration: functionConfigurationSchema.optional(),
    /** This target is an environment downstream of `promotion.from` (docs/environments.md). */
    promotion: promotionSchema.optional(),
  })
  .strict();

const bucketName = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name');

export const siteTargetSchema = z
  .object({
    name: z.string().regex(TARGET_NAME, TARGET_NAME_RULE),
    kind: z.literal('site'),
    site: z
      .object({
        bucket: bucketName,
        /** Releases go to `<prefix><release>/`; '' or segments ending in '/', e.g. 'www/'. */
        prefix: z
          .string()
          .max(256, 'must be at most 256 characters (S3 keys are at most 1024 bytes with the release and file path)')
          .regex(/^([A-Za-z0-9._-]+\/)*$/, 'must be empty or end with "/", e.g. "www/"')
          .refine(
            (p) => !p.split('/').some((segment) => segment === '.' || segment === '..' || segment === '.slipway'),
            'must not contain "." , ".." or ".slipway" segments',
          )
          .default(''),
        distributionId: z.string().regex(/^[A-Z0-9]{1,32}$/, 'must be a CloudFront distribution id such as E2QWRUHAPOMQZL'),
      })
      .strict(),
    /** All at once (the default) or one canary through CloudFront continuous deployment (docs/sites.md). */
    strategy: siteStrategySchema.default('AllAtOnce'),
    /** First matching rule wins; files no rule matches get the defaults (see docs). */
    cacheControl: boundedArray(z.object({ match: z.string().min(1).max(256), value: z.string().min(1).max(256) }).strict(), { max: 50 }).default([]),
    health: healthSchema.default({}),
    /** Release prefixes kept; the live and the previous release are always kept. */
    keepReleases: z.number().int().min(2).max(1000).default(10),
    limits: z
      .object({
        maxEntries: z.number().int().min(1).max(1_000_000).default(100_000),
        maxUncompressedBytes: z
          .number()
          .int()
          .min(1)
          .max(5 * 1024 ** 4)
          .default(5 * 1024 ** 3),
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
    /** A file written into every release, so one build serves every environment (docs/environments.md). */
    runtimeConfig: siteRuntimeConfigSchema.optional(),
    /** This target is an environment downstream of `promotion.from` (docs/environments.md). */
    promotion: promotionSchema.optional(),
  })
  .strict();

/** A component's own health signals, judged together with the app's (docs/apps.md): hooks and the poll interval are the app's. */
export const componentHealthSchema = healthSchema.pick({ alarms: true, probe: true });

/** Folder names in an app's zip, and keys of `components`. */
export const COMPONENT_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;
export const COMPONENT_NAME_RULE = 'must match [a-z0-9][a-z0-9_-]{0,31} (it is also the folder of the component in the release zip)';
/** Components per app; the workflow state carries one entry per component. */
export const MAX_APP_COMPONENTS = 10;

/** A function of an app: what a function target has, less what the app decides for all its components. */
export const functionComponentSchema = functionTargetSchema
  .omit({ name: true, kind: true, strategy: true, health: true, cdn: true, notifications: true, window: true, promotion: true })
  .extend({ health: componentHealthSchema.default({}) })
  .strict();

/** The site of an app (at most one): what a site target has, less what the app decides. */
export const siteComponentSchema = siteTargetSchema
  .omit({ name: true, kind: true, strategy: true, health: true, notifications: true, window: true, promotion: true })
  .extend({ health: componentHealthSchema.default({}) })
  .strict();

export const componentSchema = z.union([functionComponentSchema, siteComponentSchema]);

/**
 * Several functions and a site released as one unit (docs/apps.md): one artifact with a folder per
 * component, staged together, shifted in lockstep, judged by one verdict and rolled back together.
 */
export const appTargetSchema = z
  .object({
    name: z.string().regex(TARGET_NAME, TARGET_NAME_RULE),
    kind: z.literal('app'),
    components: z
      .record(z.string().regex(COMPONENT_NAME, COMPONENT_NAME_RULE), componentSchema)
      .refine((c) => Object.keys(c).length >= 1, 'must name at least one component')
      .refine((c) => Object.keys(c).length <= MAX_APP_COMPONENTS, `must name at most ${MAX_APP_COMPONENTS} components`),
    strategy: strategySchema.default('AllAtOnce'),
    /** The app's own signals; each component's are judged with them. */
    health: healthSchema.default({}),
    notifications: notificationsSchema.optional(),
    window: windowSchema.optional(),
    promotion: promotionSchema.optional(),
  })
  .strict();

/** What a valid app also holds: at most one site, and no function twice. */
function appRules(app: z.infer<typeof appTargetSchema>, ctx: z.RefinementCtx): void {
  const entries = Object.entries(app.components);
  const sites = entries.filter(([, c]) => 'site' in c);
  if (sites.length > 1) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['components'],
      message: `an app has at most one site; ${sites.map(([n]) => `"${n}"`).join(' and ')} are both sites: make one of them a target of its own`,
    });
  }
  const seen = new Map<string, string>();
  for (const [name, component] of entries) {
    if (!('function' in component)) continue;
    const fn = functionNameOf(component.function.name);
    const other = seen.get(fn);
    if (other) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['components', name, 'function', 'name'], message: `function ${fn} is already component "${other}"` });
    }
    seen.set(fn, name);
  }
}

/** A function's name from its name or unqualified ARN. */
export function functionNameOf(nameOrArn: string): string {
  return nameOrArn.slice(nameOrArn.lastIndexOf(':') + 1);
}

export const targetSchema = z.discriminatedUnion('kind', [functionTargetSchema, siteTargetSchema, appTargetSchema]).superRefine((target, ctx) => {
  if (target.kind === 'app') appRules(target, ctx);
  if (target.kind !== 'function' && target.health.analysis) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['health', 'analysis'],
      message: `judges a function's canary version on its own invocations; a ${target.kind} target does not take it yet: use alarms and a probe`,
    });
  }
  if (target.kind !== 'function' && target.health.synthetic) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['health', 'synthetic'],
      message: `invokes a function's canary version directly; a ${target.kind} target has no version to invoke: use a probe`,
    });
  }
  if (target.kind === 'function' && target.health.synthetic && !target.health.analysis) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['health', 'synthetic'],
      message:
        'needs health.analysis: synthetic invocations are evidence for the canary\'s verdict, and only steps judged on evidence send them; add "analysis": {} for the defaults',
    });
  }
});

export type AnalysisConfig = z.infer<typeof analysisSchema>;
export type SyntheticConfig = z.infer<typeof syntheticSchema>;

export type Target = z.infer<typeof targetSchema>;
export type FunctionTarget = z.infer<typeof functionTargetSchema>;
export type SiteTarget = z.infer<typeof siteTargetSchema>;
export type AppTarget = z.infer<typeof appTargetSchema>;
export type FunctionComponent = z.infer<typeof functionComponentSchema>;
export type SiteComponent = z.infer<typeof siteComponentSchema>;
export type Component = FunctionComponent | SiteComponent;

/**
 * Converts zod issues into `path: message` pairs a person can act on. Given the schema, a mistyped
 * field gets the field it was likely meant to be, and a value that meant one branch of a union
 * (a canary, say) gets that branch's issues rather than "must be one of the documented shapes".
 */
export function describeIssues(error: z.ZodError, schema?: z.ZodTypeAny): { path: string; message: string }[] {
  return describeAll(error.issues, schema);
}

function describeAll(issues: readonly z.ZodIssue[], schema: z.ZodTypeAny | undefined): { path: string; message: string }[] {
  return issues.flatMap((issue) => {
    const path = issue.path.length === 0 ? '(root)' : issue.path.join('.');
    if (issue.code === 'unrecognized_keys') {
      const known = schema ? fieldsAt(schema, issue.path) : [];
      return issue.keys.map((key) => {
        const meant = closestName(key, known);
        return { path, message: `unknown field "${key}"${meant ? ` (did you mean "${meant}"?)` : ''}` };
      });
    }
    if (issue.code === 'invalid_union_discriminator') {
      return [{ path, message: `must be one of ${issue.options.map((o) => JSON.stringify(o)).join(', ')}` }];
    }
    if (issue.code === 'invalid_union' && issue.path.includes('components')) {
      return [
        {
          path,
          message:
            'must be a function component ({"function": {"name": …}}) or a site component ({"site": {"bucket": …, "distributionId": …}}); see docs/apps.md',
        },
      ];
    }
    if (issue.code === 'invalid_union') {
      const meant = meantBranch(issue);
      if (meant && meant.length > 0) return describeAll(meant, schema);
      const choices = literalChoices(issue);
      if (choices) {
        const list = choices.expected.map((e) => JSON.stringify(e));
        const words = list.length > 1 ? `${list.slice(0, -1).join(', ')} or ${list.at(-1)}` : list[0];
        return [{ path: choices.path.join('.'), message: `must be ${words}, not ${JSON.stringify(choices.received)}` }];
      }
      return [{ path, message: 'must be one of the documented shapes (see docs: strategies)' }];
    }
    return [{ path, message: issue.message }];
  });
}

export function parseWith<T extends z.ZodTypeAny>(schema: T, input: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = describeIssues(result.error, schema);
  const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  throw new ValidationError(`invalid ${what}: ${summary}`, issues);
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

/**
 * The field that makes a value large: the largest top-level field, then into its largest child for
 * as long as that child holds most of its parent's bytes (a long list stops at the list, not at one
 * of its items).
 */
function largestField(value: unknown): { path: (string | number)[]; bytes: number } {
  const path: (string | number)[] = [];
  let current = value;
  let bytes = jsonBytes(value);
  for (;;) {
    if (!current || typeof current !== 'object') break;
    const children = Object.entries(current as Record<string, unknown>).map(([key, child]) => ({
      key: Array.isArray(current) ? Number(key) : key,
      child,
      bytes: jsonBytes(child),
    }));
    const largest = children.sort((a, b) => b.bytes - a.bytes)[0];
    if (!largest || (path.length > 0 && largest.bytes * 2 < bytes)) break;
    path.push(largest.key);
    current = largest.child;
    bytes = largest.bytes;
  }
  return { path, bytes };
}

/** Refuses a config whose JSON is larger than `maxBytes`, naming the field that makes it so. */
export function assertConfigSize(config: unknown, what: string, maxBytes = MAX_TARGET_CONFIG_BYTES): void {
  const total = jsonBytes(config);
  if (total <= maxBytes) return;
  const { path, bytes } = largestField(config);
  const field = path.length === 0 ? '(root)' : path.join('.');
  const message = `the ${what} is ${total} bytes as JSON, more than the ${maxBytes} allowed; the largest part, ${field}, is ${bytes} bytes: shorten it`;
  throw new ValidationError(`invalid ${what}: ${field}: ${message}`, [{ path: field, message }]);
}

/** Validates a target config; the error names every bad field by its path. */
export function parseTarget(input: unknown): Target {
  const target = parseWith(targetSchema, input, 'target');
  assertConfigSize(target, 'target config');
  return target;
}
