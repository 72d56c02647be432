import { DeleteProvisionedConcurrencyConfigCommand } from '@aws-sdk/client-lambda';
import type { ConcurrencyReleaser } from '../../ports/index.js';
import { LambdaConcurrencyReader } from './lambda-concurrency-reader.js';
import { errorName, rethrowTransient } from './sdk-errors.js';

/** Finalize and Rollback: deletes a version's provisioned concurrency (the old version's, or what a failed deployment allocated). */
export class LambdaConcurrencyReleaser extends LambdaConcurrencyReader implements ConcurrencyReleaser {
  async release(fn: string, version: string): Promise<boolean> {
    try {
      await this.client.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: fn, Qualifier: version }));
      return true;
    } catch (error) {
      // Already released (a retried step): nothing left to delete.
      const name = errorName(error);
      if (name === 'ResourceNotFoundException' || name === 'ProvisionedConcurrencyConfigNotFoundException') return false;
      rethrowTransient(error, `releasing the provisioned concurrency of ${fn}:${version}`);
    }
  }
}
