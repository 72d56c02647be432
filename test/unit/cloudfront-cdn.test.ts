import { readFileSync } from 'node:fs';
import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { CloudFrontCdn } from '../../shared/adapters/aws/cloudfront-cdn.js';
import { InvalidationsBusyError, PERMANENT_ERRORS, TransientError } from '../../shared/domain/errors.js';

// moto completes every invalidation at once and never answers TooManyInvalidationsInProgress.
const cloudfront = mockClient(CloudFrontClient);
const cdn = () => new CloudFrontCdn({ client: new CloudFrontClient({ region: 'us-east-1' }) });

function awsError(name: string, status: number): Error {
  return Object.assign(new Error(`${name} from AWS`), { name, $metadata: { httpStatusCode: status } });
}

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
}

beforeEach(() => {
  cloudfront.reset();
});

describe('Class: CloudFrontCdn', () => {
  describe('Method: invalidate', () => {
    it('reports too many invalidations in progress as a transient error the state machine retries', async () => {
      // Prepare: CloudFront answers 400 when the distribution has its maximum of invalidations in flight.
      cloudfront.on(CreateInvalidationCommand).rejects(awsError('TooManyInvalidationsInProgress', 400));
      // Act
      const failure = await cdn()
        .invalidate('E2QWRUHAPOMQZL', ['/*'], 'd-1-switch')
        .catch((error: unknown) => error);
      // Assess
      expect(failure).toBeInstanceOf(InvalidationsBusyError);
      expect(failure).toBeInstanceOf(TransientError);
      expect(PERMANENT_ERRORS).not.toContain((failure as Error).name);
      expect((failure as Error).message).toMatch(/E2QWRUHAPOMQZL has too many invalidations in progress.*retried/);
    });

    it('still passes other refusals on as they are', async () => {
      // Prepare
      cloudfront.on(CreateInvalidationCommand).rejects(awsError('InvalidArgument', 400));
      // Act & Assess
      await expect(cdn().invalidate('E2QWRUHAPOMQZL', ['/*'], 'd-1-switch')).rejects.toMatchObject({ name: 'InvalidArgument' });
    });
  });
});

describe('State machine: InvalidateCdn', () => {
  const definition = JSON.parse(readFileSync(new URL('../../statemachine/deploy.asl.json', import.meta.url), 'utf8')) as {
    States: Record<string, { Retry?: Retrier[] }>;
  };
  const retry = definition.States.InvalidateCdn!.Retry!;

  it('waits minutes, with backoff, for invalidations in flight to finish', () => {
    // Act
    const index = retry.findIndex((rule) => rule.ErrorEquals.includes('InvalidationsBusyError'));
    const rule = retry[index]!;
    // Assess: before the catch-all, which gives up within a minute.
    expect(index).toBeGreaterThanOrEqual(0);
    expect(index).toBeLessThan(retry.findIndex((r) => r.ErrorEquals.includes('States.ALL')));
    expect(rule.BackoffRate).toBeGreaterThan(1);
    expect(rule.MaxDelaySeconds).toBeDefined();
    let waited = 0;
    for (let attempt = 0; attempt < rule.MaxAttempts!; attempt += 1) {
      waited += Math.min(rule.MaxDelaySeconds!, rule.IntervalSeconds! * rule.BackoffRate! ** attempt);
    }
    // CloudFront usually finishes an invalidation within minutes.
    expect(waited).toBeGreaterThanOrEqual(10 * 60);
    expect(waited).toBeLessThanOrEqual(60 * 60);
  });
});
