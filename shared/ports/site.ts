/**
 * Ports of the static site pipeline (kind: "site" targets): the origin bucket a release is staged
 * into, and the CloudFront distribution whose origin path selects the live release.
 */
export interface OriginSwitch {
  /** The origin path the distribution serves now (`/prefix/release`), for the origin on `bucket`. */
  currentOriginPath(distributionId: string, bucket: string): Promise<string>;
  /**
   * Points the origin on `bucket` at `originPath`, guarded by the distribution's ETag (IfMatch);
   * re-reads and tries again when another change won the race. A no-op when already there.
   */
  switchOriginPath(distributionId: string, bucket: string, originPath: string): Promise<void>;
}

export interface SiteStore {
  /** A JSON document (manifest, staging record), or undefined when there is none. */
  readJson(bucket: string, key: string): Promise<unknown | undefined>;
  writeJson(bucket: string, key: string, value: unknown): Promise<void>;
  /** The "folders" directly under `prefix` (each `<prefix><name>/`). */
  listReleasePrefixes(bucket: string, prefix: string): Promise<string[]>;
  /** Deletes every object under `prefix`; returns how many. */
  deletePrefix(bucket: string, prefix: string): Promise<number>;
}
