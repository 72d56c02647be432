/** Health signals and traffic: alarms, the probe, the CDN, traffic metrics. */
import type { Target } from '../domain/target.js';
import type { Datapoint } from '../domain/traffic-profile.js';
import type { VersionEvidence } from '../domain/analysis/evidence.js';

export interface ProbeResult {
  /** Why the probe failed; absent when it answered as expected. */
  failure?: string;
  /** sha256 (hex) of the body it answered with, so a site can check which release it served; absent when truncated. */
  bodySha256?: string;
  /** Body bytes read: all of them, or the cap when `truncated`. */
  bodyBytes?: number;
  /** The body was longer than the probe reads (PROBE_BODY_LIMIT_BYTES); the rest was never downloaded. */
  truncated?: boolean;
}

export interface ProbeRequest {
  url: string;
  expectStatus: number;
  timeoutMs: number;
  /** Let the probe reach link-local and instance metadata addresses (refused otherwise). */
  allowLinkLocal?: boolean;
  /** Headers sent with the probe (a site canary's `aws-cf-cd-…` header, so it reaches the staging distribution). */
  headers?: Record<string, string>;
}

/** A target's traffic, for deploy windows (suggestions and the `maxRequestsPerMinute` gate). */
export interface TrafficMetrics {
  /** Requests (function: invocations) per hour in [from, to), oldest first. */
  hourly(target: Target, from: Date, to: Date): Promise<Datapoint[]>;
  /** Requests in the latest reported minute of the last ten; undefined when none is reported. */
  currentPerMinute(target: Target, now: Date): Promise<number | undefined>;
}

export interface HealthSignals {
  /** Names of the given alarms that are in ALARM; MissingResourceError when any of them does not exist. */
  alarmsFiring(names: string[]): Promise<string[]>;
  /** `failure` when unhealthy (or refused), else what the body was. */
  probe(probe: ProbeRequest): Promise<ProbeResult>;
}

export interface Cdn {
  invalidate(distributionId: string, paths: string[], callerReference: string): Promise<string>;
  isInvalidationComplete(distributionId: string, invalidationId: string): Promise<boolean>;
}

/**
 * Version-scoped evidence (docs/analysis.md): Lambda publishes Invocations, Errors, Throttles and
 * Duration in `AWS/Lambda` with the dimensions FunctionName, Resource (`<function>:<alias>`) and
 * ExecutedVersion for invocations through an alias.
 */
export interface VersionMetrics {
  /** What `version` did when invoked through `fn:alias` in [start, end): sums, and Duration's p99. */
  evidence(fn: string, alias: string, version: string, window: { start: Date; end: Date }): Promise<VersionEvidence>;
}
