import { CloudFrontClient, GetDistributionConfigCommand, type DistributionConfig, type Origin } from '@aws-sdk/client-cloudfront';
import { MissingResourceError } from '../../domain/errors.js';
import type { OriginSwitch } from '../../ports/site.js';
import { errorName, rethrowTransient } from './sdk-errors.js';

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

  protected async read(distributionId: string): Promise<{ config: DistributionConfig; etag: string }> {
    try {
      const out = await this.client.send(new GetDistributionConfigCommand({ Id: distributionId }));
      if (!out.DistributionConfig || !out.ETag) throw new Error(`GetDistributionConfig of ${distributionId} returned no config or ETag`);
      return { config: out.DistributionConfig, etag: out.ETag };
    } catch (error) {
      if (errorName(error) === 'NoSuchDistribution') {
        throw new MissingResourceError(`CloudFront distribution ${distributionId} does not exist`, { cause: error });
      }
      rethrowTransient(error, `reading distribution ${distributionId}`);
    }
  }

  async currentOriginPath(distributionId: string, bucket: string): Promise<string> {
    const { config } = await this.read(distributionId);
    return bucketOrigin(config, distributionId, bucket).OriginPath ?? '';
  }
}
