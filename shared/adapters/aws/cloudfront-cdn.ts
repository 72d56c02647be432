import { CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { CloudFrontInvalidationStatus } from './cloudfront-invalidation-status.js';
import { InvalidationsBusyError, MissingResourceError } from '../../domain/errors.js';
import type { Cdn } from '../../ports/index.js';
import { errorName, rethrowTransient } from './sdk-errors.js';

export class CloudFrontCdn extends CloudFrontInvalidationStatus implements Cdn {
  /**
   * CloudFront treats a repeated CallerReference with the same paths as the same invalidation,
   * so a retried Task never creates a second one. moto ignores this; a mock test covers it.
   */
  async invalidate(distributionId: string, paths: string[], callerReference: string): Promise<string> {
    try {
      const out = await this.client.send(
        new CreateInvalidationCommand({
          DistributionId: distributionId,
          InvalidationBatch: { CallerReference: callerReference, Paths: { Quantity: paths.length, Items: paths } },
        }),
      );
      return out.Invalidation?.Id ?? '';
    } catch (error) {
      if (errorName(error) === 'NoSuchDistribution') {
        throw new MissingResourceError(`CloudFront distribution ${distributionId} does not exist`, { cause: error });
      }
      if (errorName(error) === 'TooManyInvalidationsInProgress') {
        // A 400, so the SDK does not retry it; the in-flight invalidations finish within minutes.
        throw new InvalidationsBusyError(
          `CloudFront distribution ${distributionId} has too many invalidations in progress; the invalidation will be retried once some finish`,
          { cause: error },
        );
      }
      rethrowTransient(error, `invalidating ${distributionId}`);
    }
  }
}
