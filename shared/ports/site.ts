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
