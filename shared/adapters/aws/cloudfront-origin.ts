import {
  CloudFrontClient,
  GetDistributionConfigCommand,
  UpdateDistributionCommand,
  type DistributionConfig,
  type Origin,
} from '@aws-sdk/client-cloudfront';
import { ConcurrentModificationError, MissingResourceError } from '../../domain/errors.js';
import type { OriginSwitch } from '../../ports/site.js';
import { errorName, rethrowTransient } from './sdk-errors.js';

/** Attempts at the read → IfMatch update cycle before giving up to the state machine's retry. */
const MAX_ATTEMPTS = 5;

/** An S3 origin's domain is `<bucket>.s3.amazonaws.com` or `<bucket>.s3.<region>.amazonaws.com`. */
export function isBucketOrigin(origin: Origin, bucket: string): boolean {
  const domain = origin.DomainName ?? '';
  return domain === `${bucket}.s3.amazonaws.com` || domain.startsWith(`${bucket}.s3.`) || domain.startsWith(`${bucket}.s3-`);
}

function bucketOrigin(config: DistributionConfig, distributionId: string, bucket: string): Origin {
  const origin = (config.Origins?.Items ?? []).find((o) => isBucketOrigin(o, bucket));
  if (!origin) {
    throw new MissingResourceError(
      `distribution ${distributionId} has no origin on bucket ${bucket}; add an S3 origin for the bucket or fix the target's site.bucket`,
    );
  }
  return origin;
}

export class CloudFrontOriginSwitch implements OriginSwitch {
  private readonly client: CloudFrontClient;

  constructor(options: { client?: CloudFrontClient } = {}) {
    this.client = options.client ?? new CloudFrontClient({});
  }

  private async read(distributionId: string): Promise<{ config: DistributionConfig; etag: string }> {
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

  async switchOriginPath(distributionId: string, bucket: string, originPath: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const { config: current, etag } = await this.read(distributionId);
      if ((bucketOrigin(current, distributionId, bucket).OriginPath ?? '') === originPath) return;
      // UpdateDistribution takes the whole config back; only the one origin path changes.
      const config = structuredClone(current);
      bucketOrigin(config, distributionId, bucket).OriginPath = originPath;
      try {
        await this.client.send(new UpdateDistributionCommand({ Id: distributionId, IfMatch: etag, DistributionConfig: config }));
        return;
      } catch (error) {
        // Someone else changed the distribution between our read and our write: read again.
        if (errorName(error) === 'PreconditionFailed' && attempt < MAX_ATTEMPTS) continue;
        if (errorName(error) === 'PreconditionFailed') {
          throw new ConcurrentModificationError(`distribution ${distributionId} kept changing under slipway (IfMatch)`, { cause: error });
        }
        rethrowTransient(error, `switching distribution ${distributionId}`);
      }
    }
  }
}
