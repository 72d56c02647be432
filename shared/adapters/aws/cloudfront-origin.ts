import { GetDistributionCommand, UpdateDistributionCommand } from '@aws-sdk/client-cloudfront';
import { ConcurrentModificationError, MissingResourceError } from '../../domain/errors.js';
import type { OriginSwitch } from '../../ports/site.js';
import { bucketOrigin, CloudFrontOriginReader } from './cloudfront-origin-reader.js';
import { errorName, rethrowTransient } from './sdk-errors.js';

/** Attempts at the read → IfMatch update cycle before giving up to the state machine's retry. */
const MAX_ATTEMPTS = 5;

/** Moves a distribution's S3 origin to another release prefix, guarded by the ETag (IfMatch). */
export class CloudFrontOriginSwitch extends CloudFrontOriginReader implements OriginSwitch {
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

  async isDistributionDeployed(distributionId: string): Promise<boolean> {
    try {
      const out = await this.client.send(new GetDistributionCommand({ Id: distributionId }));
      return out.Distribution?.Status === 'Deployed';
    } catch (error) {
      if (errorName(error) === 'NoSuchDistribution') {
        throw new MissingResourceError(`CloudFront distribution ${distributionId} does not exist`, { cause: error });
      }
      rethrowTransient(error, `reading the status of distribution ${distributionId}`);
    }
  }
}
