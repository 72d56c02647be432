/**
 * Ports of presigned release uploads and deploy hooks (the CI-facing half of the HTTPS API).
 */
import type { DeployHook } from '../domain/deploy-hook.js';

export interface PresignedPut {
  url: string;
  /** Every header the signature covers besides Host: the client must send each, byte for byte. */
  headers: Record<string, string>;
}

export interface ReleaseObject {
  key: string;
  lastModified: Date;
}

export interface ReleaseUploads {
  /**
   * A URL that PUTs exactly `size` bytes whose sha256 is `sha256Hex` to `key`, once, and only while
   * no object has that key; valid `expiresInSeconds` from `signedAt`.
   */
  presignPut(request: {
    bucket: string;
    key: string;
    size: number;
    sha256Hex: string;
    expiresInSeconds: number;
    signedAt: Date;
    /** A scheduled start, bound as `x-amz-meta-slipway-not-before`. */
    notBefore?: string;
  }): Promise<PresignedPut>;
  /** Every object under `prefix`, in no particular order. */
  listObjects(bucket: string, prefix: string): Promise<ReleaseObject[]>;
}

export interface ReleaseHistory {
  /** Whether any deployment of `release` of `target` was ever recorded, whatever its outcome. */
  hasDeployment(target: string, release: string): Promise<boolean>;
}

export interface RateWindow {
  /** Calls allowed per window. */
  limit: number;
  windowSeconds: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface DeployHookStore {
  /** Stores a new hook; its id must not exist yet. */
  create(hook: DeployHook): Promise<void>;
  /** The hook, revoked or not; undefined when the id was never created. */
  get(id: string): Promise<DeployHook | undefined>;
  /** A target's hooks that are not revoked, newest first. */
  listByTarget(target: string): Promise<DeployHook[]>;
  /** Revokes a live hook of `target`; false when there is no such hook (or it is already revoked). */
  revoke(target: string, id: string, at: Date): Promise<boolean>;
  markUsed(id: string, at: Date): Promise<void>;
  /** Counts one call against the hook's fixed window; refuses it once the window is full. */
  countCall(id: string, at: Date, rate: RateWindow): Promise<RateDecision>;
}
