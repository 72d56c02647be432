/**
 * Request and response schemas of presigned uploads and deploy hooks. Requests are strict (an
 * unknown field is an error); responses are strict too, and every response is parsed with its
 * schema before it leaves, so a field such as a secret hash can never slip into an answer.
 */
import { z } from 'zod';
import { releaseNameSchema, visibleNameSchema } from '../domain/names.js';
import { S3_MAX_PUT_BYTES } from '../domain/artifact-key.js';
import { notBeforeSchema } from './schemas.js';

/** The rule intake applies to the `<release>` of `releases/<target>/<release>.zip` (parseReleaseKey). */
export { releaseNameSchema };

/** `POST /targets/{name}/releases`. */
export const releaseUploadRequestSchema = z
  .object({
    release: releaseNameSchema,
    sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be the hex sha256 of the zip (64 hex digits)'),
    size: z
      .number()
      .int('must be a whole number of bytes')
      .min(1, 'must be at least 1 byte')
      .max(S3_MAX_PUT_BYTES, `must be at most ${S3_MAX_PUT_BYTES} bytes (5 GiB, one S3 PUT)`),
    /** Schedule the deployment the upload starts: not before this time. */
    notBefore: notBeforeSchema.optional(),
  })
  .strict();

export const releaseUploadResponseSchema = z
  .object({
    target: z.string(),
    release: z.string(),
    bucket: z.string(),
    key: z.string(),
    url: z.string().url(),
    method: z.literal('PUT'),
    /** Send every one of these with the PUT, exactly as given. */
    headers: z.record(z.string()),
    expiresAt: z.string().datetime(),
  })
  .strict();

const hookName = visibleNameSchema(100);

/** `POST /targets/{name}/hooks`. */
export const deployHookCreateRequestSchema = z.object({ name: hookName, release: releaseNameSchema.optional() }).strict();

/** `POST /hooks/{hookId}`: an empty body deploys the hook's release, or the newest upload. */
export const deployHookCallRequestSchema = z.object({ release: releaseNameSchema.optional() }).strict();

export const deployHookViewSchema = z
  .object({
    id: z.string(),
    target: z.string(),
    name: z.string(),
    release: z.string().nullable(),
    createdAt: z.string().datetime(),
    lastUsedAt: z.string().datetime().nullable(),
  })
  .strict();

/** The one answer that carries the secret. */
export const deployHookCreatedSchema = z
  .object({
    id: z.string(),
    target: z.string(),
    name: z.string(),
    release: z.string().nullable(),
    url: z.string(),
    secret: z.string(),
    createdAt: z.string().datetime(),
  })
  .strict();

export const deployHookListSchema = z.object({ hooks: z.array(deployHookViewSchema) }).strict();
