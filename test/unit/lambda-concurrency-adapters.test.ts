import {
  DeleteProvisionedConcurrencyConfigCommand,
  GetProvisionedConcurrencyConfigCommand,
  LambdaClient,
  PutProvisionedConcurrencyConfigCommand,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { LambdaConcurrencyAllocator } from '../../shared/adapters/aws/lambda-concurrency-allocator.js';
import { LambdaConcurrencyReader } from '../../shared/adapters/aws/lambda-concurrency-reader.js';
import { LambdaConcurrencyReleaser } from '../../shared/adapters/aws/lambda-concurrency-releaser.js';
import { MissingResourceError, TransientError, ValidationError } from '../../shared/domain/errors.js';

// moto 5 has no provisioned-concurrency API at all; the emulator's supplement
// (dev/emulator/lambda-provisioned-concurrency.ts) answers the workflow tests. These tests pin down
// the exact requests the adapters send and how they read AWS's refusals, the supplement's answers
// aside: a ResourceConflictException while an allocation is in progress, a refused amount, a
// release of what is already gone.
const lambda = mockClient(LambdaClient);
const client = () => new LambdaClient({ region: 'us-east-1' });

beforeEach(() => {
  lambda.reset();
});

function awsError(name: string, status = 400, message = `${name} from AWS`): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

describe('Class: LambdaConcurrencyReader', () => {
  const adapter = () => new LambdaConcurrencyReader({ client: client() });

  it('reads a qualifier’s configuration with FunctionName and Qualifier, Lambda’s fields mapped', async () => {
    // Prepare
    lambda.on(GetProvisionedConcurrencyConfigCommand).resolves({
      RequestedProvisionedConcurrentExecutions: 50,
      AllocatedProvisionedConcurrentExecutions: 20,
      AvailableProvisionedConcurrentExecutions: 20,
      Status: 'IN_PROGRESS',
    });
    // Act
    const allocation = await adapter().allocation('web', '8');
    // Assess
    expect(lambda).toHaveReceivedCommandWith(GetProvisionedConcurrencyConfigCommand, { FunctionName: 'web', Qualifier: '8' });
    expect(allocation).toEqual({ requested: 50, allocated: 20, available: 20, status: 'IN_PROGRESS' });
  });

  it('keeps a FAILED allocation’s StatusReason', async () => {
    lambda.on(GetProvisionedConcurrencyConfigCommand).resolves({ RequestedProvisionedConcurrentExecutions: 5, Status: 'FAILED', StatusReason: 'init failed' });
    expect(await adapter().allocation('web', '8')).toEqual({ requested: 5, allocated: 0, available: 0, status: 'FAILED', statusReason: 'init failed' });
  });

  it('answers undefined for a qualifier without a configuration (ProvisionedConcurrencyConfigNotFoundException)', async () => {
    lambda.on(GetProvisionedConcurrencyConfigCommand).rejects(awsError('ProvisionedConcurrencyConfigNotFoundException', 404));
    expect(await adapter().allocation('web', 'live')).toBeUndefined();
  });

  it('reports a function or qualifier that does not exist as a missing resource', async () => {
    lambda.on(GetProvisionedConcurrencyConfigCommand).rejects(awsError('ResourceNotFoundException', 404));
    await expect(adapter().allocation('web', '99')).rejects.toBeInstanceOf(MissingResourceError);
  });
});

describe('Class: LambdaConcurrencyAllocator', () => {
  const adapter = () => new LambdaConcurrencyAllocator({ client: client() });

  it('asks for the amount on the version: FunctionName, Qualifier and ProvisionedConcurrentExecutions', async () => {
    // Prepare
    lambda.on(PutProvisionedConcurrencyConfigCommand).resolves({ RequestedProvisionedConcurrentExecutions: 50, Status: 'IN_PROGRESS' });
    // Act
    const allocation = await adapter().allocate('web', '8', 50);
    // Assess
    expect(lambda).toHaveReceivedCommandTimes(PutProvisionedConcurrencyConfigCommand, 1);
    expect(lambda).toHaveReceivedCommandWith(PutProvisionedConcurrencyConfigCommand, {
      FunctionName: 'web',
      Qualifier: '8',
      ProvisionedConcurrentExecutions: 50,
    });
    expect(allocation).toMatchObject({ requested: 50, status: 'IN_PROGRESS' });
  });

  it('turns a ResourceConflictException (an allocation of the version still in progress) into a TransientError the Task retries', async () => {
    lambda
      .on(PutProvisionedConcurrencyConfigCommand)
      .rejects(
        awsError(
          'ResourceConflictException',
          409,
          'The operation cannot be performed at this time. An update is in progress for resource: arn:aws:lambda:us-east-1:123456789012:function:web:8',
        ),
      );
    const refusal = adapter().allocate('web', '8', 50);
    await expect(refusal).rejects.toBeInstanceOf(TransientError);
    await expect(refusal).rejects.toThrow(/allocating 50 provisioned concurrency on web:8/);
  });

  it('turns a refused amount (InvalidParameterValueException) into a ValidationError saying what to change', async () => {
    lambda
      .on(PutProvisionedConcurrencyConfigCommand)
      .rejects(
        awsError(
          'InvalidParameterValueException',
          400,
          "Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].",
        ),
      );
    const refusal = adapter().allocate('web', '8', 900);
    await expect(refusal).rejects.toBeInstanceOf(ValidationError);
    await expect(refusal).rejects.toThrow(
      /Lambda refused 900 provisioned concurrency on version 8 of web: .*UnreservedConcurrentExecution.*raise the account’s concurrency quota/,
    );
  });
});

describe('Class: LambdaConcurrencyReleaser', () => {
  const adapter = () => new LambdaConcurrencyReleaser({ client: client() });

  it('deletes the version’s configuration with FunctionName and Qualifier', async () => {
    lambda.on(DeleteProvisionedConcurrencyConfigCommand).resolves({});
    expect(await adapter().release('web', '7')).toBe(true);
    expect(lambda).toHaveReceivedCommandWith(DeleteProvisionedConcurrencyConfigCommand, { FunctionName: 'web', Qualifier: '7' });
  });

  it.each(['ResourceNotFoundException', 'ProvisionedConcurrencyConfigNotFoundException'])(
    'answers false when there is nothing left to release (%s: a retried step)',
    async (name) => {
      lambda.on(DeleteProvisionedConcurrencyConfigCommand).rejects(awsError(name, 404));
      expect(await adapter().release('web', '7')).toBe(false);
    },
  );

  it('turns a ResourceConflictException (the configuration still being allocated) into a TransientError', async () => {
    lambda.on(DeleteProvisionedConcurrencyConfigCommand).rejects(awsError('ResourceConflictException', 409));
    await expect(adapter().release('web', '8')).rejects.toBeInstanceOf(TransientError);
  });
});
