/**
 * Domain errors. Every error sets `name` (Step Functions matches Retry/Catch on it) and accepts
 * `{ cause }`. Errors listed in PERMANENT_ERRORS are never retried by the state machine: retrying
 * them cannot change the outcome.
 */
export class SlipwayError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad input from a user: a config, a request, a key. Maps to HTTP 400. */
export class ValidationError extends SlipwayError {
  constructor(
    message: string,
    readonly issues: { path: string; message: string }[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export class TargetNotFoundError extends SlipwayError {
  constructor(readonly target: string) {
    super(`target "${target}" is not registered; register it with \`npx slipway targets apply <file>\` or PUT /targets/${target}`);
  }
}

export class DeploymentNotFoundError extends SlipwayError {
  constructor(readonly deploymentId: string) {
    super(`deployment "${deploymentId}" does not exist`);
  }
}

/** An AWS resource the target names does not exist (function, alias, version, distribution). */
export class MissingResourceError extends SlipwayError {}

/** The artifact cannot become a release: missing, wrong checksum, not a zip, too large. */
export class ArtifactRejectedError extends SlipwayError {}

/** A health signal said no: an alarm in ALARM, a failing probe. */
export class UnhealthyReleaseError extends SlipwayError {}

/** A pre- or post-traffic hook failed or returned `{ "status": "Failed" }`. */
export class HookFailedError extends SlipwayError {}

/** A guarded write lost a race (RevisionId, CodeSha256, ETag, conditional write). */
export class ConcurrentModificationError extends SlipwayError {}

/** A request conflicts with the current state (rollback with nothing to roll back to, …). Maps to HTTP 409. */
export class ConflictError extends SlipwayError {}

/**
 * The target's deploy window or the release's schedule does not let it go live: it cannot open
 * within the longest a deployment can wait, or it closed mid-rollout with `onClose: "rollback"`.
 */
export class WindowError extends SlipwayError {}

/**
 * The alias cannot be moved the way the strategy needs. Lambda's weighted alias routing refuses an
 * alias on `$LATEST` and two versions that differ in execution role or dead-letter queue; an alias
 * on `$LATEST` would also go live the moment slipway updates the code, before any check.
 */
export class RoutingPreconditionError extends SlipwayError {}

/** Lambda could not make a published version ready (State `Failed`): its StateReasonCode says why. */
export class VersionFailedError extends SlipwayError {}

/** A transient fault (throttling, 5xx, a resource still updating): worth retrying. */
export class TransientError extends SlipwayError {}

/**
 * CloudFront refused a new invalidation because the distribution has as many in progress as it
 * allows (TooManyInvalidationsInProgress). Transient: they finish within minutes; the
 * InvalidateCdn Task retries it with a backoff of its own.
 */
export class InvalidationsBusyError extends TransientError {}

export const PERMANENT_ERRORS = [
  'ValidationError',
  'TargetNotFoundError',
  'DeploymentNotFoundError',
  'ArtifactRejectedError',
  'UnhealthyReleaseError',
  'HookFailedError',
  'ConflictError',
  'MissingResourceError',
  'CancelledError',
  'WindowError',
  'RoutingPreconditionError',
  'VersionFailedError',
] as const;

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
