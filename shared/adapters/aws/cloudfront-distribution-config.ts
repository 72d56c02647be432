/**
 * A distribution's config, read with its ETag. Its own module: the functions that only read carry
 * (and are granted) only GetDistributionConfig; writing it back is cloudfront-distribution-update.ts.
 */
import { type CloudFrontClient, type DistributionConfig, GetDistributionConfigCommand } from '@aws-sdk/client-cloudfront';
import { MissingResourceError } from '../../domain/errors.js';
import { errorName, rethrowTransient } from './sdk-errors.js';

export async function readDistributionConfig(client: CloudFrontClient, id: string): Promise<{ config: DistributionConfig; etag: string }> {
  try {
    const out = await client.send(new GetDistributionConfigCommand({ Id: id }));
    if (!out.DistributionConfig || !out.ETag) throw new Error(`GetDistributionConfig of ${id} returned no config or ETag`);
    return { config: out.DistributionConfig, etag: out.ETag };
  } catch (error) {
    if (errorName(error) === 'NoSuchDistribution') throw new MissingResourceError(`CloudFront distribution ${id} does not exist`, { cause: error });
    rethrowTransient(error, `reading distribution ${id}`);
  }
}
