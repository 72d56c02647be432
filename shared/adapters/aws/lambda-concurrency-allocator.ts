import { PutProvisionedConcurrencyConfigCommand } from '@aws-sdk/client-lambda';
import { ValidationError } from '../../domain/errors.js';
import type { ConcurrencyAllocation, ConcurrencyAllocator } from '../../ports/index.js';
import { LambdaConcurrencyReader, toAllocation } from './lambda-concurrency-reader.js';
import { errorName } from './sdk-errors.js';

/** Stage: reads the live version's provisioned concurrency and asks for the same on the new one. */
export class LambdaConcurrencyAllocator extends LambdaConcurrencyReader implements ConcurrencyAllocator {
  async allocate(fn: string, version: string, amount: number): Promise<ConcurrencyAllocation> {
    try {
      const out = await this.client.send(
        new PutProvisionedConcurrencyConfigCommand({ FunctionName: fn, Qualifier: version, ProvisionedConcurrentExecutions: amount }),
      );
      return toAllocation(out);
    } catch (error) {
      // The account's unreserved concurrency would fall below its minimum, or the amount is out of range:
      // retrying cannot change that.
      if (errorName(error) === 'InvalidParameterValueException') {
        throw new ValidationError(
          `Lambda refused ${amount} provisioned concurrency on version ${version} of ${fn}: ${(error as Error).message}; ` +
            'lower the live version’s provisioned concurrency or raise the account’s concurrency quota, then deploy again',
          [],
          { cause: error },
        );
      }
      // A ResourceConflictException (an allocation of this version still in progress) is transient: the Task retries.
      return this.call(`allocating ${amount} provisioned concurrency on ${fn}:${version}`, () => Promise.reject(error));
    }
  }
}
