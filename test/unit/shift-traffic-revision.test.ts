import { GetAliasCommand, LambdaClient, UpdateAliasCommand } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { LambdaAliasRouter } from '../../shared/adapters/aws/lambda-alias-router.js';
import type { Deployment } from '../../shared/domain/deployment.js';
import { ConcurrentModificationError } from '../../shared/domain/errors.js';
import { targetSchema, type FunctionTarget } from '../../shared/domain/target.js';
import type { DeploymentStore } from '../../shared/ports/index.js';
import { shiftTraffic } from '../../shared/usecases/workflow/shift-traffic.js';
import type { WorkflowState } from '../../shared/usecases/workflow/state.js';

// moto accepts a stale RevisionId, so the guard that makes the GetAlias unnecessary is pinned here.
const lambda = mockClient(LambdaClient);
const aliases = () => new LambdaAliasRouter({ client: new LambdaClient({ region: 'us-east-1' }) });

const target = targetSchema.parse({ name: 'app', kind: 'function', function: { name: 'app-fn', alias: 'live' }, strategy: 'AllAtOnce' }) as FunctionTarget;
const record: Deployment = {
  id: 'd-1',
  target: 'app',
  release: 'r2',
  status: 'staging',
  trigger: 's3',
  requestedAt: '2026-01-01T00:00:00.000Z',
  startedAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  fromVersion: '1',
  toVersion: '2',
  trafficPercent: 0,
  timeline: [],
};
const deployments = { get: async () => record, update: async () => record } as unknown as DeploymentStore;
const state: WorkflowState = { deploymentId: 'd-1', target, steps: [{ percent: 100, bakeSeconds: 0 }], stepIndex: 0, aliasRevision: 'rev-from-stage' };

function awsError(name: string, status = 412): Error {
  return Object.assign(new Error(`${name} from AWS`), { name, $metadata: { httpStatusCode: status } });
}

beforeEach(() => {
  lambda.reset();
});

describe('Function: shiftTraffic (alias revision)', () => {
  it('moves the alias with the revision Stage saw, reading no alias, and keeps the new revision', async () => {
    // Prepare
    lambda.on(UpdateAliasCommand).resolves({ FunctionVersion: '2', RevisionId: 'rev-after-shift' });
    // Act
    const next = await shiftTraffic({ deployments, aliases: aliases(), clock: { now: () => new Date('2026-12-01T12:00:00Z') } }, state);
    // Assess
    expect(lambda).toReceiveCommandWith(UpdateAliasCommand, { FunctionName: 'app-fn', Name: 'live', FunctionVersion: '2', RevisionId: 'rev-from-stage' });
    expect(lambda).not.toReceiveCommand(GetAliasCommand);
    expect(next.aliasRevision).toBe('rev-after-shift');
  });

  it('reads the alias when its revision changed, and goes on when it is still on the old version', async () => {
    // Prepare
    lambda
      .on(UpdateAliasCommand, { RevisionId: 'rev-from-stage' })
      .rejects(awsError('PreconditionFailedException'))
      .on(UpdateAliasCommand, { RevisionId: 'rev-now' })
      .resolves({ FunctionVersion: '2', RevisionId: 'rev-after-shift' });
    lambda.on(GetAliasCommand).resolves({ FunctionVersion: '1', RevisionId: 'rev-now' });
    // Act
    const next = await shiftTraffic({ deployments, aliases: aliases(), clock: { now: () => new Date('2026-12-01T12:00:00Z') } }, state);
    // Assess
    expect(lambda).toReceiveCommandTimes(UpdateAliasCommand, 2);
    expect(lambda).toReceiveCommandWith(UpdateAliasCommand, { FunctionVersion: '2', RevisionId: 'rev-now' });
    expect(next.aliasRevision).toBe('rev-after-shift');
  });

  it('refuses to overwrite an alias someone moved to another version since Stage', async () => {
    // Prepare
    lambda.on(UpdateAliasCommand).rejects(awsError('PreconditionFailedException'));
    lambda.on(GetAliasCommand).resolves({ FunctionVersion: '7', RevisionId: 'rev-theirs' });
    // Act
    const shifting = shiftTraffic({ deployments, aliases: aliases(), clock: { now: () => new Date('2026-12-01T12:00:00Z') } }, state);
    // Assess
    await expect(shifting).rejects.toThrow(ConcurrentModificationError);
    await expect(shifting).rejects.toThrow(/moved to version 7 during the deployment/);
    expect(lambda).toReceiveCommandTimes(UpdateAliasCommand, 1);
  });
});
