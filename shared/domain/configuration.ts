/**
 * Configuration released with the code: what a function runs with besides its code (environment
 * variables, memory, timeout), and a site's runtime config file. The target holds the wanted
 * configuration, with secrets as references (`{ "parameter": name }` for SSM Parameter Store,
 * `{ "secret": id }` for Secrets Manager). At deploy time each reference is resolved to its
 * current version and pinned: the deployment record keeps the *pinned* configuration (plain values
 * and reference@version, never a secret's value), its digest and the diff from what was live.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

/** Lambda's rule for environment variable names. */
const ENV_KEY = /^[a-zA-Z][a-zA-Z0-9_]+$/;

/** Names Lambda sets itself and refuses in a function's configuration, and slipway's own. */
export const RESERVED_ENV_KEYS = [
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_DEFAULT_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_LAMBDA_RUNTIME_API',
  'AWS_REGION',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'LAMBDA_RUNTIME_DIR',
  'LAMBDA_TASK_ROOT',
] as const;

/** The variable slipway writes into every configured version: the digest of its pinned configuration. */
export const CONFIG_DIGEST_ENV = 'SLIPWAY_CONFIG_DIGEST';

/** Lambda refuses a function whose environment (keys and values) is larger than this. */
export const LAMBDA_MAX_ENVIRONMENT_BYTES = 4 * 1024;

const parameterName = z
  .string()
  .min(1)
  .max(2048)
  .regex(/^[a-zA-Z0-9_.\-/]+$/, 'must be an SSM parameter name such as /prod/db/password (no version selector: slipway pins the current version)');

const secretId = z
  .string()
  .min(1)
  .max(2048)
  .regex(/^[a-zA-Z0-9/_+=.@:-]+$/, 'must be a Secrets Manager secret name or ARN such as prod/stripe');

export const environmentValueSchema = z.union([
  z.string().max(LAMBDA_MAX_ENVIRONMENT_BYTES),
  z.object({ parameter: parameterName }).strict(),
  z.object({ secret: secretId }).strict(),
]);

export const functionConfigurationSchema = z
  .object({
    /** The whole environment of the function: slipway replaces it, so what is not listed is removed. */
    environment: z
      .record(z.string(), environmentValueSchema)
      .superRefine((env, ctx) => {
        const keys = Object.keys(env);
        if (keys.length > 200) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `has ${keys.length} variables; at most 200` });
        for (const key of keys) {
          if (!ENV_KEY.test(key)) {
            ctx.addIssue({
              code: z.ZodIssueCode.custom,
              path: [key],
              message: 'must be an environment variable name: a letter, then at least one letter, digit or "_"',
            });
          } else if ((RESERVED_ENV_KEYS as readonly string[]).includes(key) || key === CONFIG_DIGEST_ENV) {
            ctx.addIssue({
              code: z.ZodIssueCode.custom,
              path: [key],
              message: `is set by ${key === CONFIG_DIGEST_ENV ? 'slipway' : 'Lambda'} itself; choose another name`,
            });
          }
        }
      })
      .default({}),
    memorySize: z.number().int().min(128).max(10240).optional(),
    timeout: z.number().int().min(1).max(900).optional(),
  })
  .strict();

export type FunctionConfiguration = z.infer<typeof functionConfigurationSchema>;

/** One environment value as a deployment pinned it: a plain value, or a reference at the version that was current. */
export type PinnedValue = { value: string } | { parameter: string; version: number } | { secret: string; versionId: string };

/** A function configuration with every reference pinned. Holds no secret value: it is what records keep. */
export interface PinnedConfiguration {
  environment: Record<string, PinnedValue>;
  memorySize?: number;
  timeout?: number;
}

export const pinnedValueSchema: z.ZodType<PinnedValue> = z.union([
  z.object({ value: z.string() }).strict(),
  z.object({ parameter: z.string(), version: z.number().int() }).strict(),
  z.object({ secret: z.string(), versionId: z.string() }).strict(),
]);

export const pinnedConfigurationSchema = z
  .object({
    environment: z.record(z.string(), pinnedValueSchema),
    memorySize: z.number().int().optional(),
    timeout: z.number().int().optional(),
  })
  .strict();

/** JSON with object keys sorted at every level: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The digest of a pinned configuration (or a site's runtime config): hex sha256 of its canonical JSON. */
export function configurationDigest(config: PinnedConfiguration | SiteRuntimeConfig): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex');
}

/** The first 12 hex digits, as people read a digest. */
export function shortDigest(digest: string): string {
  return digest.slice(0, 12);
}

/** How a pinned value reads in a diff, a record or a log: a secret's value never, only where it comes from. */
export function describePinned(value: PinnedValue): string {
  if ('value' in value) return JSON.stringify(value.value);
  if ('parameter' in value) return `SSM parameter ${value.parameter} (version ${value.version})`;
  return `secret ${value.secret} (version ${value.versionId})`;
}

export interface ConfigurationChange {
  /** An environment variable's name, or `memorySize` / `timeout`. */
  key: string;
  change: 'added' | 'changed' | 'removed';
  /** What it was and is, as describePinned reads them (secrets redacted by construction). */
  from?: string;
  to?: string;
}

export const configurationChangeSchema = z
  .object({
    key: z.string(),
    change: z.enum(['added', 'changed', 'removed']),
    from: z.string().optional(),
    to: z.string().optional(),
  })
  .strict();

/** What changes from `before` (undefined: nothing slipway configured) to `after`, keys in order. */
export function diffConfiguration(before: PinnedConfiguration | undefined, after: PinnedConfiguration): ConfigurationChange[] {
  const changes: ConfigurationChange[] = [];
  const was = before?.environment ?? {};
  const keys = [...new Set([...Object.keys(was), ...Object.keys(after.environment)])].sort();
  for (const key of keys) {
    const from = was[key];
    const to = after.environment[key];
    if (from && !to) changes.push({ key, change: 'removed', from: describePinned(from) });
    else if (!from && to) changes.push({ key, change: 'added', to: describePinned(to) });
    else if (from && to && canonicalJson(from) !== canonicalJson(to))
      changes.push({ key, change: 'changed', from: describePinned(from), to: describePinned(to) });
  }
  for (const key of ['memorySize', 'timeout'] as const) {
    const from = before?.[key];
    const to = after[key];
    if (from === to) continue;
    if (to === undefined) changes.push({ key, change: 'removed', from: String(from) });
    else if (from === undefined) changes.push({ key, change: 'added', to: String(to) });
    else changes.push({ key, change: 'changed', from: String(from), to: String(to) });
  }
  return changes;
}

/** A configuration's references, without pinning: what a dry run can show before resolving anything. */
export function unpinned(config: FunctionConfiguration): Record<string, string> {
  return Object.fromEntries(
    Object.entries(config.environment).map(([key, value]) => [
      key,
      typeof value === 'string' ? JSON.stringify(value) : 'parameter' in value ? `SSM parameter ${value.parameter}` : `secret ${value.secret}`,
    ]),
  );
}

/** At most this many bytes of JSON in a site's runtime config values. */
export const SITE_RUNTIME_CONFIG_MAX_BYTES = 32 * 1024;

export const siteRuntimeConfigSchema = z
  .object({
    /** Where the file goes in every release, relative to the release root. */
    path: z
      .string()
      .min(1)
      .max(256)
      .regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, 'must be a relative file path such as config.json or assets/env.json')
      .refine((p) => !p.split('/').some((s) => s === '.' || s === '..' || s === '.slipway'), 'must not contain ".", ".." or ".slipway" segments')
      .default('config.json'),
    /** The file's content, written as JSON. */
    values: z
      .record(z.string(), z.unknown())
      .refine(
        (v) => Buffer.byteLength(JSON.stringify(v), 'utf8') <= SITE_RUNTIME_CONFIG_MAX_BYTES,
        `must be at most ${SITE_RUNTIME_CONFIG_MAX_BYTES} bytes as JSON`,
      ),
  })
  .strict();

export type SiteRuntimeConfig = z.infer<typeof siteRuntimeConfigSchema>;

/** A runtime config value as a diff reads it: canonical JSON, cut to this many characters. */
const RUNTIME_VALUE_SHOWN = 200;

function describeRuntimeValue(value: unknown): string {
  const text = String(canonicalJson(value));
  return text.length > RUNTIME_VALUE_SHOWN ? `${text.slice(0, RUNTIME_VALUE_SHOWN - 1)}…` : text;
}

/**
 * What a site's runtime config values change, by top-level key, keys in order (before undefined:
 * the live version had no runtime config). Values are shown as JSON, cut to 200 characters: they
 * are public (the file is served to every viewer), but a record must stay small.
 */
export function diffRuntimeConfigValues(before: Record<string, unknown> | undefined, after: Record<string, unknown>): ConfigurationChange[] {
  const was = new Map(Object.entries(before ?? {}));
  const now = new Map(Object.entries(after));
  const changes: ConfigurationChange[] = [];
  for (const key of [...new Set([...was.keys(), ...now.keys()])].sort()) {
    const from = was.get(key);
    const to = now.get(key);
    if (was.has(key) && !now.has(key)) changes.push({ key, change: 'removed', from: describeRuntimeValue(from) });
    else if (!was.has(key)) changes.push({ key, change: 'added', to: describeRuntimeValue(to) });
    else if (canonicalJson(from) !== canonicalJson(to))
      changes.push({ key, change: 'changed', from: describeRuntimeValue(from), to: describeRuntimeValue(to) });
  }
  return changes;
}
