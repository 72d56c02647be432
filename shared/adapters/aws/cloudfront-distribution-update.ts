/**
 * A distribution's config written back guarded by its ETag (IfMatch): the one read → change →
 * UpdateDistribution cycle slipway's CloudFront adapters use.
 */
import { type CloudFrontClient, type DistributionConfig, UpdateDistributionCommand } from '@aws-sdk/client-cloudfront';
import { ConcurrentModificationError } from '../../domain/errors.js';
import { readDistributionConfig } from './cloudfront-distribution-config.js';
import { errorName, rethrowTransient } from './sdk-errors.js';

/** Attempts at the read → IfMatch update cycle before giving up to the state machine's retry. */
const MAX_ATTEMPTS = 5;

/**
 * Applies `change` to a copy of the current config and writes it back with IfMatch (UpdateDistribution
 * takes the whole config back), reading again when someone else changed the distribution in between.
 * `change` answers false when nothing needs writing.
 */
export async function updateDistributionConfig(
  client: CloudFrontClient,
  id: string,
  change: (config: DistributionConfig) => boolean,
  doing: string,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const { config: current, etag } = await readDistributionConfig(client, id);
    const config = structuredClone(current);
    if (!change(config)) return;
    try {
      await client.send(new UpdateDistributionCommand({ Id: id, IfMatch: etag, DistributionConfig: config }));
      return;
    } catch (error) {
      if (errorName(error) === 'PreconditionFailed' && attempt < MAX_ATTEMPTS) continue;
      if (errorName(error) === 'PreconditionFailed') {
        throw new ConcurrentModificationError(`distribution ${id} kept changing under slipway (IfMatch)`, { cause: error });
      }
      rethrowTransient(error, `${doing} distribution ${id}`);
    }
  }
}
