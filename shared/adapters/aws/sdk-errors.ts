import { TransientError } from '../../domain/errors.js';

const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'ServiceUnavailable',
  'ServiceException',
  'InternalFailure',
  'InternalServerError',
  'ResourceConflictException',
  'TimeoutError',
]);

export function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

/**
 * The SDK already retries throttling and 5xx (standard mode, 3 attempts). What is still failing
 * after that becomes a TransientError, which the state machine retries with backoff.
 */
export function rethrowTransient(error: unknown, what: string): never {
  const status = httpStatus(error);
  const name = errorName(error);
  if ((name && TRANSIENT_NAMES.has(name)) || (status !== undefined && status >= 500) || status === 429) {
    throw new TransientError(`${what} failed transiently (${name ?? status}); it will be retried`, { cause: error });
  }
  if (error instanceof Error && /ECONNREFUSED|ECONNRESET|ETIMEDOUT|socket hang up/.test(error.message)) {
    throw new TransientError(`${what} could not reach AWS (${error.message}); it will be retried`, { cause: error });
  }
  throw error;
}
