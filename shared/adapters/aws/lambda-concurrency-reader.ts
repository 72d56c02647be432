import { GetProvisionedConcurrencyConfigCommand, type GetProvisionedConcurrencyConfigResponse } from '@aws-sdk/client-lambda';
import type { ConcurrencyAllocation, ConcurrencyReader } from '../../ports/index.js';
import { LambdaAdapter } from './lambda-adapter.js';
import { errorName } from './sdk-errors.js';

export function toAllocation(out: GetProvisionedConcurrencyConfigResponse): ConcurrencyAllocation {
  const status = out.Status === 'READY' || out.Status === 'FAILED' ? out.Status : 'IN_PROGRESS';
  return {
    requested: out.RequestedProvisionedConcurrentExecutions ?? 0,
    allocated: out.AllocatedProvisionedConcurrentExecutions ?? 0,
    available: out.AvailableProvisionedConcurrentExecutions ?? 0,
    status,
    ...(out.StatusReason ? { statusReason: out.StatusReason } : {}),
  };
}

/** GetProvisionedConcurrencyConfig: what a version or an alias has, if anything. */
export class LambdaConcurrencyReader extends LambdaAdapter implements ConcurrencyReader {
  async allocation(fn: string, qualifier: string): Promise<ConcurrencyAllocation | undefined> {
    const what = `reading the provisioned concurrency of ${fn}:${qualifier}`;
    try {
      return toAllocation(await this.client.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: fn, Qualifier: qualifier })));
    } catch (error) {
      // Lambda's answer for a version or alias that exists but has no configuration.
      if (errorName(error) === 'ProvisionedConcurrencyConfigNotFoundException') return undefined;
      return this.call(what, () => Promise.reject(error));
    }
  }
}
