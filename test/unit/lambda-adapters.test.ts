import {
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { CloudFrontCdn } from '../../shared/adapters/aws/cloudfront-cdn.js';
import { LambdaAliasRouter } from '../../shared/adapters/aws/lambda-alias-router.js';
import { HOOK_DEADLINE_MS, LambdaHookInvoker } from '../../shared/adapters/aws/lambda-hook-invoker.js';
import { LambdaSyntheticInvoker } from '../../shared/adapters/aws/lambda-synthetic-invoker.js';
import { LambdaVersionPublisher } from '../../shared/adapters/aws/lambda-version-publisher.js';
import { ConcurrentModificationError, HookFailedError, MissingResourceError, TransientError, VersionFailedError } from '../../shared/domain/errors.js';

// moto accepts stale RevisionIds and wrong CodeSha256 values and ignores CallerReference; these
// tests pin down that slipway sends the guards, and how it reads AWS's refusals.
const lambda = mockClient(LambdaClient);
const cloudfront = mockClient(CloudFrontClient);

const client = () => new LambdaClient({ region: 'us-east-1' });

beforeEach(() => {
  lambda.reset();
});

function awsError(name: string, status = 400): Error {
  return Object.assign(new Error(`${name} from AWS`), { name, $metadata: { httpStatusCode: status } });
}

describe('Class: LambdaVersionPublisher', () => {
  const adapter = () => new LambdaVersionPublisher({ client: client() });

  describe('Method: publishVersion', () => {
    it('sends the expected CodeSha256 and RevisionId', async () => {
      // Prepare
      lambda.on(PublishVersionCommand).resolves({ Version: '7' });
      // Act
      const version = await adapter().publishVersion('fn', { codeSha256: 'c2hh', revisionId: 'rev-1' }, 'slipway d-1 release r2');
      // Assess
      expect(version).toBe('7');
      expect(lambda).toHaveReceivedCommandWith(PublishVersionCommand, {
        FunctionName: 'fn',
        CodeSha256: 'c2hh',
        RevisionId: 'rev-1',
        Description: 'slipway d-1 release r2',
      });
    });

    it.each(['PreconditionFailedException', 'InvalidParameterValueException'])('reports %s as a concurrent modification', async (name) => {
      lambda.on(PublishVersionCommand).rejects(awsError(name, name === 'PreconditionFailedException' ? 412 : 400));
      await expect(adapter().publishVersion('fn', { codeSha256: 'x', revisionId: 'r' }, 'd')).rejects.toBeInstanceOf(ConcurrentModificationError);
    });

    it('turns throttling that outlived the SDK retries into a TransientError', async () => {
      lambda.on(PublishVersionCommand).rejects(awsError('TooManyRequestsException', 429));
      await expect(adapter().publishVersion('fn', { codeSha256: 'x', revisionId: 'r' }, 'd')).rejects.toBeInstanceOf(TransientError);
    });
  });

  describe('Method: updateCode', () => {
    it('points the function at the exact object version and waits until the update is Successful', async () => {
      // Prepare
      lambda.on(UpdateFunctionCodeCommand).resolves({});
      lambda
        .on(GetFunctionConfigurationCommand)
        .resolvesOnce({ LastUpdateStatus: 'InProgress' })
        .resolves({ LastUpdateStatus: 'Successful', RevisionId: 'rev-9', CodeSha256: 'abc=' });
      // Act
      const result = await adapter().updateCode('fn', { bucket: 'b', key: 'releases/t/r.zip', versionId: 'v1' });
      // Assess
      expect(lambda).toHaveReceivedCommandWith(UpdateFunctionCodeCommand, {
        FunctionName: 'fn',
        S3Bucket: 'b',
        S3Key: 'releases/t/r.zip',
        S3ObjectVersion: 'v1',
      });
      expect(lambda).toHaveReceivedCommandTimes(GetFunctionConfigurationCommand, 2);
      expect(result).toEqual({ revisionId: 'rev-9', codeSha256: 'abc=' });
    });

    it('does not poll when the update already answers Successful', async () => {
      // Prepare
      lambda.on(UpdateFunctionCodeCommand).resolves({ LastUpdateStatus: 'Successful', RevisionId: 'rev-3', CodeSha256: 'def=' });
      // Act
      const result = await adapter().updateCode('fn', { bucket: 'b', key: 'releases/t/r.zip', versionId: 'v1' });
      // Assess
      expect(lambda).not.toHaveReceivedCommand(GetFunctionConfigurationCommand);
      expect(result).toEqual({ revisionId: 'rev-3', codeSha256: 'def=' });
    });
  });

  describe('Method: awaitVersionActive', () => {
    it('returns what PublishVersion answered for a version that was Active at once, reading nothing', async () => {
      // Prepare
      lambda
        .on(PublishVersionCommand)
        .resolves({ Version: '8', State: 'Active', LastUpdateStatus: 'Successful', CodeSha256: 'abc=', Role: 'arn:aws:iam::1:role/r' });
      const publisher = adapter();
      await publisher.publishVersion('fn', { codeSha256: 'abc=', revisionId: 'r' }, 'd');
      // Act
      const config = await publisher.awaitVersionActive('fn', '8');
      // Assess
      expect(lambda).not.toHaveReceivedCommand(GetFunctionConfigurationCommand);
      expect(config).toMatchObject({ codeSha256: 'abc=', role: 'arn:aws:iam::1:role/r', state: 'Active' });
    });

    it('reads the version when PublishVersion answered Pending', async () => {
      // Prepare
      lambda.on(PublishVersionCommand).resolves({ Version: '9', State: 'Pending', LastUpdateStatus: 'InProgress' });
      lambda
        .on(GetFunctionConfigurationCommand, { FunctionName: 'fn', Qualifier: '9' })
        .resolves({ Version: '9', State: 'Active', LastUpdateStatus: 'Successful' });
      const publisher = adapter();
      await publisher.publishVersion('fn', { codeSha256: 'abc=', revisionId: 'r' }, 'd');
      // Act
      await publisher.awaitVersionActive('fn', '9');
      // Assess
      expect(lambda).toHaveReceivedCommandTimes(GetFunctionConfigurationCommand, 1);
    });

    // moto answers Active at once; a SnapStart or large-package version is Pending for minutes in AWS.
    it('waits while the published version is Pending and returns its configuration once Active', async () => {
      // Prepare
      lambda
        .on(GetFunctionConfigurationCommand, { FunctionName: 'fn', Qualifier: '7' })
        .resolvesOnce({ Version: '7', State: 'Pending', StateReasonCode: 'Creating', LastUpdateStatus: 'InProgress' })
        .resolvesOnce({ Version: '7', State: 'Pending', StateReasonCode: 'Creating', LastUpdateStatus: 'InProgress' })
        .resolves({
          Version: '7',
          State: 'Active',
          LastUpdateStatus: 'Successful',
          CodeSha256: 'abc=',
          Role: 'arn:aws:iam::123456789012:role/app',
          DeadLetterConfig: { TargetArn: 'arn:aws:sqs:us-east-1:123456789012:dlq' },
        });
      // Act
      const config = await adapter().awaitVersionActive('fn', '7');
      // Assess
      expect(lambda).toHaveReceivedCommandTimes(GetFunctionConfigurationCommand, 3);
      expect(config).toEqual({
        codeSha256: 'abc=',
        role: 'arn:aws:iam::123456789012:role/app',
        deadLetterTargetArn: 'arn:aws:sqs:us-east-1:123456789012:dlq',
        state: 'Active',
      });
    });

    it('keeps waiting while an Active version’s LastUpdateStatus is still InProgress', async () => {
      lambda
        .on(GetFunctionConfigurationCommand)
        .resolvesOnce({ State: 'Active', LastUpdateStatus: 'InProgress' })
        .resolves({ State: 'Active', LastUpdateStatus: 'Successful', Role: 'r' });
      await expect(adapter().awaitVersionActive('fn', '7')).resolves.toMatchObject({ state: 'Active', role: 'r' });
      expect(lambda).toHaveReceivedCommandTimes(GetFunctionConfigurationCommand, 2);
    });

    it('fails permanently with the StateReasonCode when Lambda reports the version Failed', async () => {
      // Prepare
      lambda
        .on(GetFunctionConfigurationCommand)
        .resolvesOnce({ State: 'Pending', StateReasonCode: 'Creating' })
        .resolves({ State: 'Failed', StateReasonCode: 'FunctionError', StateReason: 'SnapStart init failed' });
      // Act
      const outcome = adapter().awaitVersionActive('fn', '7');
      // Assess
      await expect(outcome).rejects.toBeInstanceOf(VersionFailedError);
      await expect(adapter().awaitVersionActive('fn', '7')).rejects.toThrow(/version 7 of fn .*FunctionError: SnapStart init failed/);
    });

    it('gives the Task back to Step Functions’ retry when the version is still Pending at the deadline', async () => {
      lambda.on(GetFunctionConfigurationCommand).resolves({ State: 'Pending', StateReasonCode: 'Creating' });
      const patient = new LambdaVersionPublisher({ client: client(), activeTimeoutMs: 150 });
      await expect(patient.awaitVersionActive('fn', '7')).rejects.toThrow(new TransientError('version 7 of fn is still Pending (Creating) after 0s'));
    });
  });
});

describe('Class: LambdaAliasRouter', () => {
  const adapter = () => new LambdaAliasRouter({ client: client() });

  describe('Method: updateAlias', () => {
    it('splits traffic with RoutingConfig and guards with the alias RevisionId', async () => {
      // Prepare
      lambda.on(UpdateAliasCommand).resolves({ FunctionVersion: '1', RevisionId: 'rev-2', RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } } });
      // Act
      const state = await adapter().updateAlias('fn', 'live', { version: '1', additional: { version: '2', weight: 0.1 } }, 'rev-1');
      // Assess
      expect(lambda).toHaveReceivedCommandWith(UpdateAliasCommand, {
        FunctionName: 'fn',
        Name: 'live',
        FunctionVersion: '1',
        RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } },
        RevisionId: 'rev-1',
      });
      expect(state).toEqual({ version: '1', revisionId: 'rev-2', additional: { version: '2', weight: 0.1 } });
    });

    it('clears the routing config when all traffic moves', async () => {
      lambda.on(UpdateAliasCommand).resolves({ FunctionVersion: '2', RevisionId: 'rev-3' });
      await adapter().updateAlias('fn', 'live', { version: '2' }, 'rev-2');
      expect(lambda).toHaveReceivedCommandWith(UpdateAliasCommand, { RoutingConfig: { AdditionalVersionWeights: {} }, RevisionId: 'rev-2' });
    });

    it('refuses to overwrite an alias changed by someone else', async () => {
      lambda.on(UpdateAliasCommand).rejects(awsError('PreconditionFailedException', 412));
      await expect(adapter().updateAlias('fn', 'live', { version: '2' }, 'stale')).rejects.toBeInstanceOf(ConcurrentModificationError);
    });
  });
});

describe('Class: LambdaHookInvoker', () => {
  const adapter = () => new LambdaHookInvoker({ client: client() });

  describe('Method: invokeHook', () => {
    it('fails on a function error', async () => {
      lambda.on(InvokeCommand).resolves({ FunctionError: 'Unhandled', Payload: Buffer.from(JSON.stringify({ errorMessage: 'boom' })) as never });
      await expect(adapter().invokeHook('hook', {})).rejects.toThrow(new HookFailedError('hook hook failed: boom'));
    });

    it('fails on { status: "Failed" } and passes anything else', async () => {
      lambda.on(InvokeCommand).resolvesOnce({ Payload: Buffer.from('{"status":"Failed","reason":"smoke"}') as never });
      await expect(adapter().invokeHook('hook', {})).rejects.toThrow('returned status Failed: smoke');
      lambda.on(InvokeCommand).resolves({ Payload: Buffer.from('{"status":"Succeeded"}') as never });
      await expect(adapter().invokeHook('hook', {})).resolves.toEqual({ status: 'Succeeded' });
    });

    it('gives up on a hook that does not answer within its deadline, as a hook failure (not retried)', async () => {
      // Prepare: a hook that never returns; the runHook function must not time out first.
      lambda.on(InvokeCommand).callsFake(() => new Promise(() => undefined));
      const invoker = new LambdaHookInvoker({ client: client(), deadlineMs: 50 });
      // Act
      const failure = await invoker.invokeHook('slow-hook', {}).catch((error: unknown) => error);
      // Assess
      expect(failure).toBeInstanceOf(HookFailedError);
      expect((failure as Error).message).toMatch(/^hook slow-hook did not answer within 0\.05 s/);
    });

    it('allows a hook less time than the runHook function has', () => {
      // Assess: the function's timeout (serverless.yml, checked by the package test) is Lambda's maximum.
      expect(HOOK_DEADLINE_MS).toBeLessThan(900_000);
    });
  });
});

describe('Class: CloudFrontCdn', () => {
  it('sends the CallerReference it is given, so a retried Task repeats the same invalidation', async () => {
    // Prepare
    cloudfront.reset();
    cloudfront
      .on(CreateInvalidationCommand)
      .resolves({ Invalidation: { Id: 'I1', Status: 'InProgress', CreateTime: new Date(), InvalidationBatch: undefined } });
    const cdn = new CloudFrontCdn({ client: new CloudFrontClient({ region: 'us-east-1' }) });
    // Act
    await cdn.invalidate('E123', ['/index.html', '/api/*'], 'd-1-switch');
    await cdn.invalidate('E123', ['/index.html', '/api/*'], 'd-1-switch');
    // Assess
    const calls = cloudfront.commandCalls(CreateInvalidationCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls[0]).toEqual({
      DistributionId: 'E123',
      InvalidationBatch: { CallerReference: 'd-1-switch', Paths: { Quantity: 2, Items: ['/index.html', '/api/*'] } },
    });
    expect(calls[1]).toEqual(calls[0]);
  });
});

// moto's Invoke without Docker echoes the payload back (or "Simple Lambda happy path OK"): it never
// answers with a function error, ignores the Qualifier and cannot be slow, so those are pinned here.
describe('Class: LambdaSyntheticInvoker', () => {
  const adapter = () => new LambdaSyntheticInvoker({ client: client() });

  it('invokes the version by its qualifier with the event, and reads the JSON answer', async () => {
    // Prepare
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: Buffer.from('{"statusCode":200}') as never });
    // Act
    const answer = await adapter().invoke('hello', '7', { path: '/health' }, 1000);
    // Assess
    expect(answer).toEqual({ outcome: 'answered', payload: { statusCode: 200 } });
    expect(lambda).toHaveReceivedCommandWith(InvokeCommand, { FunctionName: 'hello', Qualifier: '7' });
    const sent = lambda.commandCalls(InvokeCommand)[0]?.args[0].input.Payload;
    expect(JSON.parse(Buffer.from(sent as Uint8Array).toString('utf8'))).toEqual({ path: '/health' });
  });

  it('reports a function error as a failure, with its message', async () => {
    // Prepare
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: 'Unhandled', Payload: Buffer.from('{"errorMessage":"boom"}') as never });
    // Act & Assess
    await expect(adapter().invoke('hello', '7', {}, 1000)).resolves.toEqual({ outcome: 'failed', why: 'failed (Unhandled): boom' });
  });

  it('gives up on an invocation that does not answer within its timeout, as a failure', async () => {
    // Prepare
    lambda.on(InvokeCommand).callsFake(() => new Promise(() => undefined));
    // Act & Assess
    await expect(adapter().invoke('hello', '7', {}, 30)).resolves.toEqual({ outcome: 'failed', why: 'did not answer within 30 ms' });
  });

  it('reports a throttle apart, and a missing version as a missing resource', async () => {
    // Prepare
    lambda.on(InvokeCommand).rejectsOnce(awsError('TooManyRequestsException', 429)).rejectsOnce(awsError('ResourceNotFoundException', 404));
    // Act & Assess
    await expect(adapter().invoke('hello', '7', {}, 1000)).resolves.toEqual({ outcome: 'throttled' });
    await expect(adapter().invoke('hello', '7', {}, 1000)).rejects.toThrow(MissingResourceError);
  });
});
