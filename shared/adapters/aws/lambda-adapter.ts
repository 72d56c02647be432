import { LambdaClient } from '@aws-sdk/client-lambda';
import { MissingResourceError } from '../../domain/errors.js';
import { errorName, rethrowTransient } from './sdk-errors.js';

export interface LambdaAdapterOptions {
  client?: LambdaClient;
}

/**
 * The client and the error translation the Lambda adapters share. Each adapter lives in a module
 * of its own so that a bundle imports only the commands its function sends, and its role grants
 * only those.
 */
export abstract class LambdaAdapter {
  protected readonly client: LambdaClient;

  constructor(options: LambdaAdapterOptions = {}) {
    this.client = options.client ?? new LambdaClient({});
  }

  /** A missing function, version or alias becomes MissingResourceError; throttling a TransientError. */
  protected async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') {
        throw new MissingResourceError(`${what}: ${(error as Error).message}`, { cause: error });
      }
      rethrowTransient(error, what);
    }
  }
}
