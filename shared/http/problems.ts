/**
 * The one place that turns an error into an HTTP answer: an RFC 9457 problem document
 * (`application/problem+json`) with a stable `type` per kind of failure, so clients branch on
 * `type` and people read `detail`. Anything not recognised here is a 500 whose detail says
 * nothing about the internals; the caller logs the real error.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import {
  ArtifactRejectedError,
  ConflictError,
  DeploymentNotFoundError,
  MissingResourceError,
  TargetNotFoundError,
  TransientError,
  ValidationError,
} from '../domain/errors.js';
import { DeployHookNotFoundError, HookSecretRejectedError, RateLimitedError } from '../domain/deploy-hook.js';
import { MalformedJsonError, MethodNotAllowedError, PayloadTooLargeError, RouteNotFoundError, UnsupportedMediaTypeError } from './errors.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const PROBLEM_TYPE_BASE = 'https://slipway.dev/problems/';

/** Every kind of failure the API reports, with its status; the OpenAPI document lists them per route. */
export const PROBLEM_KINDS = {
  validation: { status: 400, title: 'The request is invalid' },
  'malformed-json': { status: 400, title: 'The request body is not valid JSON' },
  unauthorized: { status: 401, title: 'Authentication failed' },
  'not-found': { status: 404, title: 'Not found' },
  'route-not-found': { status: 404, title: 'No such route' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'The request conflicts with the current state' },
  'artifact-rejected': { status: 409, title: 'The release artifact was rejected' },
  'missing-resource': { status: 409, title: 'An AWS resource the target names does not exist' },
  'payload-too-large': { status: 413, title: 'The request body is too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal error' },
  unavailable: { status: 503, title: 'Temporarily unavailable' },
} as const;

export type ProblemKind = keyof typeof PROBLEM_KINDS;

export function problemType<K extends ProblemKind>(kind: K): `${typeof PROBLEM_TYPE_BASE}${K}` {
  return `${PROBLEM_TYPE_BASE}${kind}`;
}

/** The type of an error a middleware raised with its own status (e.g. middy's createError). */
const BLANK_TYPE = 'about:blank';
type ProblemTypeUri = ReturnType<typeof problemType> | typeof BLANK_TYPE;
const PROBLEM_TYPES: [ProblemTypeUri, ...ProblemTypeUri[]] = [BLANK_TYPE, ...(Object.keys(PROBLEM_KINDS) as ProblemKind[]).map(problemType)];

/** A field a validation error names: `body.release`, `query.cursor`, `(root)` for the whole body. */
export const fieldIssueSchema = z.object({ path: z.string(), message: z.string() }).strict();

/** An RFC 9457 problem document, the body of every error answer. */
export const problemSchema = z
  .object({
    type: z.enum(PROBLEM_TYPES),
    title: z.string(),
    status: z.number().int().min(400).max(599),
    detail: z.string(),
    errors: z.array(fieldIssueSchema).min(1).optional(),
  })
  .strict();

export type FieldIssue = z.infer<typeof fieldIssueSchema>;
export type Problem = z.infer<typeof problemSchema>;

const INTERNAL_DETAIL = 'slipway failed to handle the request; the error has been logged. Retry, and report it if it persists';
const UNAVAILABLE_DETAIL = 'an AWS service slipway relies on is throttling or briefly unavailable; retry the request shortly';

interface Classified {
  kind: ProblemKind;
  detail: string;
  errors?: FieldIssue[];
  headers?: Record<string, string>;
}

/** A middy `createError(4xx, …)` from a middleware: exposed by its own rules, kept as is. */
function isExposedHttpError(error: unknown): error is { statusCode: number; message: string } {
  const candidate = error as { statusCode?: unknown; expose?: unknown; message?: unknown } | null;
  return (
    typeof candidate?.statusCode === 'number' &&
    candidate.statusCode >= 400 &&
    candidate.statusCode < 500 &&
    candidate.expose !== false &&
    typeof candidate.message === 'string'
  );
}

function classify(error: unknown): Classified {
  if (error instanceof ValidationError) {
    return { kind: 'validation', detail: error.message, errors: error.issues };
  }
  if (error instanceof MalformedJsonError) return { kind: 'malformed-json', detail: error.message };
  if (error instanceof TargetNotFoundError || error instanceof DeploymentNotFoundError) {
    return { kind: 'not-found', detail: error.message };
  }
  if (error instanceof DeployHookNotFoundError) return { kind: 'not-found', detail: error.message };
  if (error instanceof HookSecretRejectedError) {
    return { kind: 'unauthorized', detail: error.message, headers: { 'WWW-Authenticate': 'SlipwayHookSecret header="X-Slipway-Hook-Secret"' } };
  }
  if (error instanceof RateLimitedError) {
    return { kind: 'rate-limited', detail: error.message, headers: { 'Retry-After': String(error.retryAfterSeconds) } };
  }
  if (error instanceof RouteNotFoundError) return { kind: 'route-not-found', detail: error.message };
  if (error instanceof MethodNotAllowedError) {
    return { kind: 'method-not-allowed', detail: error.message, headers: { Allow: error.allowed.join(', ') } };
  }
  if (error instanceof ConflictError) return { kind: 'conflict', detail: error.message };
  if (error instanceof ArtifactRejectedError) return { kind: 'artifact-rejected', detail: error.message };
  if (error instanceof MissingResourceError) return { kind: 'missing-resource', detail: error.message };
  if (error instanceof PayloadTooLargeError) return { kind: 'payload-too-large', detail: error.message };
  if (error instanceof UnsupportedMediaTypeError) return { kind: 'unsupported-media-type', detail: error.message };
  // The SDK's own words (throttling, a 5xx) say nothing a client can act on beyond "retry".
  if (error instanceof TransientError) return { kind: 'unavailable', detail: UNAVAILABLE_DETAIL, headers: { 'Retry-After': '1' } };
  return { kind: 'internal', detail: INTERNAL_DETAIL };
}

/** The problem document for an error. */
export function toProblem(error: unknown): { problem: Problem; headers: Record<string, string> } {
  if (isExposedHttpError(error)) {
    return {
      problem: { type: BLANK_TYPE, title: error.message, status: error.statusCode, detail: error.message },
      headers: {},
    };
  }
  const { kind, detail, errors, headers = {} } = classify(error);
  const { status, title } = PROBLEM_KINDS[kind];
  return {
    problem: { type: problemType(kind), title, status, detail, ...(errors && errors.length > 0 ? { errors } : {}) },
    headers,
  };
}

/** The full HTTP API (payload v2) response for an error. */
export function problemResponse(error: unknown): APIGatewayProxyStructuredResultV2 & { statusCode: number } {
  const { problem, headers } = toProblem(error);
  return {
    statusCode: problem.status,
    headers: { 'Content-Type': PROBLEM_CONTENT_TYPE, ...headers },
    body: JSON.stringify(problem),
  };
}
