import { GetDistributionCommand } from '@aws-sdk/client-cloudfront';
import { MissingResourceError } from '../../domain/errors.js';
import type { OriginSwitch } from '../../ports/site.js';
import { updateDistributionConfig } from './cloudfront-distribution-update.js';
import { bucketOrigin, CloudFrontOriginReader } from './cloudfront-origin-reader.js';
import { errorName, rethrowTransient } from './sdk-errors.js';

/** Moves a distribution's S3 origin to another release prefix, guarded by the ETag (IfMatch). */
export class CloudFrontOriginSwitch extends CloudFrontOriginReader implements OriginSwitch {
  async switchOriginPath(distributionId: string, bucket: string, originPath: string): Promise<void> {
    // Only the one origin path changes.
    await updateDistributionConfig(
      this.client,
      distributionId,
      (config) => {
        const origin = bucketOrigin(config, distributionId, bucket);
        if ((origin.OriginPath ?? '') === originPath) return false;
        origin.OriginPath = originPath;
        return true;
      },
      'switching',
    );
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
