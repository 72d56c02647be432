import { CloudFrontClient, CreateInvalidationCommand, GetInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { MissingResourceError } from '../../domain/errors.js';
import type { Cdn } from '../../ports/index.js';
import { errorName, rethrowTransient } from './sdk-errors.js';

export class CloudFrontCdn implements Cdn {
  private readonly client: CloudFrontClient;

  constructor(options: { client?: CloudFrontClient } = {}) {
    this.client = options.client ?? new CloudFrontClient({});
  }

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
      rethrowTransient(error, `invalidating ${distributionId}`);
    }
  }

  async isInvalidationComplete(distributionId: string, invalidationId: string): Promise<boolean> {
    try {
      const out = await this.client.send(new GetInvalidationCommand({ DistributionId: distributionId, Id: invalidationId }));
      return out.Invalidation?.Status === 'Completed';
    } catch (error) {
      rethrowTransient(error, `reading invalidation ${invalidationId}`);
    }
  }
}
