import { CloudFrontClient, type DistributionConfig, type Origin } from '@aws-sdk/client-cloudfront';
import { MissingResourceError } from '../../domain/errors.js';
import type { OriginSwitch } from '../../ports/site.js';
import { readDistributionConfig } from './cloudfront-distribution-config.js';

/** An S3 origin's domain is `<bucket>.s3.amazonaws.com` or `<bucket>.s3.<region>.amazonaws.com`. */
export function isBucketOrigin(origin: Origin, bucket: string): boolean {
  const domain = origin.DomainName ?? '';
  return domain === `${bucket}.s3.amazonaws.com` || domain.startsWith(`${bucket}.s3.`) || domain.startsWith(`${bucket}.s3-`);
}

export function bucketOrigin(config: DistributionConfig, distributionId: string, bucket: string): Origin {
  const origin = (config.Origins?.Items ?? []).find((o) => isBucketOrigin(o, bucket));
  if (!origin) {
    throw new MissingResourceError(
      `distribution ${distributionId} has no origin on bucket ${bucket}; add an S3 origin for the bucket or fix the target's site.bucket`,
    );
  }
  return origin;
}

/** Reads which release prefix a distribution's S3 origin serves. */
export class CloudFrontOriginReader implements Pick<OriginSwitch, 'currentOriginPath'> {
  protected readonly client: CloudFrontClient;

  constructor(options: { client?: CloudFrontClient } = {}) {
    this.client = options.client ?? new CloudFrontClient({});
  }

  protected read(distributionId: string): Promise<{ config: DistributionConfig; etag: string }> {
    return readDistributionConfig(this.client, distributionId);
  }

  async currentOriginPath(distributionId: string, bucket: string): Promise<string> {
    const { config } = await this.read(distributionId);
    return bucketOrigin(config, distributionId, bucket).OriginPath ?? '';
  }
}
