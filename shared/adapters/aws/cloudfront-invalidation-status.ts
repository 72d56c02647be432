import { CloudFrontClient, GetInvalidationCommand } from '@aws-sdk/client-cloudfront';
import type { Cdn } from '../../ports/index.js';
import { rethrowTransient } from './sdk-errors.js';

/** Reads whether an invalidation has completed. */
export class CloudFrontInvalidationStatus implements Pick<Cdn, 'isInvalidationComplete'> {
  protected readonly client: CloudFrontClient;

  constructor(options: { client?: CloudFrontClient } = {}) {
    this.client = options.client ?? new CloudFrontClient({});
  }

  async isInvalidationComplete(distributionId: string, invalidationId: string): Promise<boolean> {
    try {
      const out = await this.client.send(new GetInvalidationCommand({ DistributionId: distributionId, Id: invalidationId }));
      // CloudFront says `Completed`; moto says `COMPLETED` (and nothing else), which kept dev mode
      // polling until MAX_INVALIDATION_CHECKS ran out.
      return out.Invalidation?.Status?.toLowerCase() === 'completed';
    } catch (error) {
      rethrowTransient(error, `reading invalidation ${invalidationId}`);
    }
  }
}
