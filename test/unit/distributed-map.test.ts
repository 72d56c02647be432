import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Deployment, TimelineEntry } from '../../shared/domain/deployment.js';
import { StateMachine } from 'aws-local-stepfunctions';
import {
  DEFINITION_PATH,
  LOCAL_MAP_CONCURRENCY,
  inlineMapStateName,
  itemReaderStateName,
  itemReaderStates,
  loadDefinition,
  readItemsTask,
} from '../../dev/definition.js';
import type { DeploymentStore } from '../../shared/ports/index.js';
import { stageSiteChunk, type StageChunkDeps, type StageChunkInput } from '../../shared/usecases/site/stage-chunk.js';
import { describeFailure } from '../../shared/usecases/workflow/rollback.js';

type MapState = {
  Type: string;
  Label?: string;
  MaxConcurrency?: number;
  ToleratedFailurePercentage?: number;
  ItemsPath?: string;
  ItemReader?: { Resource: string; ReaderConfig: { InputType: string }; Parameters: Record<string, unknown> };
  ItemSelector?: Record<string, string>;
  ResultPath?: string | null;
  Catch?: { Next: string }[];
  Next?: string;
  ItemProcessor: { ProcessorConfig: { Mode: string; ExecutionType?: string }; States: Record<string, { Resource?: unknown }> };
};
type ParallelState = {
  Type: string;
  ResultPath?: null;
  Catch?: unknown[];
  Next?: string;
  Branches: { StartAt: string; States: Record<string, MapState & { Parameters?: unknown }> }[];
};

const localStageSite = (options?: Parameters<typeof loadDefinition>[0]) => loadDefinition(options).States['StageSite'] as unknown as ParallelState;

describe('StageSite: a Distributed Map in AWS, an inline Map locally', () => {
  const raw = () => (JSON.parse(readFileSync(DEFINITION_PATH, 'utf8')) as { States: Record<string, MapState> }).States['StageSite']!;

  it('runs each chunk in a STANDARD child execution in the deployed definition', () => {
    // Act
    const map = raw();
    // Assess: STANDARD because a chunk may take up to its Task timeout (900 s), past EXPRESS's 5 minutes
    expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    expect(map.ToleratedFailurePercentage).toBe(0);
    expect(map.MaxConcurrency).toBeGreaterThan(LOCAL_MAP_CONCURRENCY);
  });

  it('reads its chunks from the plan in the artifact bucket, not from the state, and brings no result back', () => {
    // Act
    const map = raw();
    // Assess: a literal bucket (CloudFormation's Ref) keeps the state machine role's s3:GetObject on it
    expect(map.ItemReader).toEqual({
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: { InputType: 'JSON' },
      Parameters: { Bucket: { Ref: 'ArtifactBucket' }, 'Key.$': '$.site.staging.key' },
    });
    expect(map).not.toHaveProperty('ItemsPath');
    expect(map.ResultPath).toBeNull();
    expect(map).not.toHaveProperty('ResultSelector');
    expect(map.ItemSelector).toEqual({ 'deploymentId.$': '$.deploymentId', 'target.$': '$.target', 'site.$': '$.site', 'chunk.$': '$$.Map.Item.Value' });
  });

  it('loads it as a Parallel of the same name: a Task reads the plan, then an inline Map with the local concurrency stages it', () => {
    // Act
    const parallel = localStageSite();
    const branch = parallel.Branches[0]!;
    const reader = branch.States[itemReaderStateName('StageSite')]!;
    const map = branch.States[inlineMapStateName('StageSite')]!;
    // Assess: the Parallel takes the Map's place in the flow, its Catch and its dropped result
    expect(parallel.Type).toBe('Parallel');
    expect(parallel.ResultPath).toBeNull();
    expect(parallel.Next).toBe('FinishSiteStaging');
    expect(parallel.Catch).toEqual(raw().Catch);
    expect(branch.StartAt).toBe('ReadStageSiteItems');
    expect(reader.Parameters).toEqual({ 'state.$': '$', 'bucket.$': '$.site.staging.bucket', 'key.$': '$.site.staging.key' });
    expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'INLINE' });
    expect(map.MaxConcurrency).toBe(LOCAL_MAP_CONCURRENCY);
    expect(map.ItemsPath).toBe('$.items');
    expect(map.ItemSelector).toEqual({
      'deploymentId.$': '$.state.deploymentId',
      'target.$': '$.state.target',
      'site.$': '$.state.site',
      'chunk.$': '$$.Map.Item.Value',
    });
    for (const field of ['Label', 'ToleratedFailurePercentage', 'ItemReader', 'Catch']) expect(map).not.toHaveProperty(field);
    expect(map.ItemProcessor.States['StageSiteChunk']!.Resource).toBe('arn:aws:lambda:us-east-1:123456789012:function:slipway-local-stageSiteChunk');
    expect(itemReaderStates()).toEqual(['ReadStageSiteItems']);
  });

  it('takes a smaller local concurrency when asked', () => {
    expect(localStageSite({ mapConcurrency: 2 }).Branches[0]!.States['StageSiteItems']!.MaxConcurrency).toBe(2);
  });

  /** The local StageSite alone, run by aws-local-stepfunctions with fake Tasks. */
  async function runLocalStageSite(plan: unknown, state: Record<string, unknown>) {
    const { Catch: _catch, Next: _next, ...parallel } = { ...localStageSite(), End: true };
    const machine = new StateMachine({ StartAt: 'StageSite', States: { StageSite: parallel } } as never, { validationOptions: { checkPaths: true } });
    const read: string[] = [];
    const chunkInputs: unknown[] = [];
    const readJson = async (bucket: string, key: string) => {
      read.push(`s3://${bucket}/${key}`);
      return plan;
    };
    const execution = machine.run(state as never, {
      overrides: {
        taskResourceLocalHandlers: {
          ReadStageSiteItems: readItemsTask(readJson),
          StageSiteChunk: async (input: unknown) => {
            chunkInputs.push(input);
            return { files: 'a result the state must not keep '.repeat(100) };
          },
        } as never,
      },
    });
    return { output: execution.result, read, chunkInputs };
  }

  it('runs every chunk of the plan in S3 locally and leaves the state as it was', async () => {
    // Prepare
    const plan = [0, 1, 2].map((index) => ({ index, start: index * 50, end: index * 50 + 50 }));
    const site = { release: 'r2', staging: { bucket: 'artifacts', key: 'staging/www/d-1/chunks.json', chunks: 3 }, liveOriginPath: '/r1', liveRelease: 'r1' };
    const state = { deploymentId: 'd-1', target: { name: 'www', kind: 'site' }, site };
    // Act
    const run = await runLocalStageSite(plan, state);
    // Assess
    expect(await run.output).toEqual(state);
    expect(run.read).toEqual(['s3://artifacts/staging/www/d-1/chunks.json']);
    expect(run.chunkInputs).toHaveLength(3);
    expect(run.chunkInputs).toEqual(expect.arrayContaining(plan.map((chunk) => ({ deploymentId: 'd-1', target: state.target, site, chunk }))));
  });

  it('fails as States.ItemReaderFailed when the plan is missing or not an array', async () => {
    // Prepare
    const state = { deploymentId: 'd-1', site: { staging: { bucket: 'artifacts', key: 'staging/www/d-1/chunks.json', chunks: 1 } } };
    // Act
    const missing = (await runLocalStageSite(undefined, state)).output;
    const notArray = (await runLocalStageSite({ chunks: [] }, state)).output;
    // Assess
    await expect(missing).rejects.toThrow(/do not exist/);
    await expect(notArray).rejects.toThrow(/not a JSON array/);
    await expect(readItemsTask(async () => undefined)({ state, bucket: 'b', key: 'k' })).rejects.toMatchObject({ name: 'States.ItemReaderFailed' });
  });
});

describe('Function: describeFailure', () => {
  const entry = (message: string): TimelineEntry => ({ at: '2026-11-26T00:00:00.000Z', step: 'stage', message });

  it("names the failed chunk's reason when a Distributed Map reports only its threshold", () => {
    // Prepare
    const timeline = [entry('chunk 0 (entries 0-50) failed: throttled'), entry('chunk 2 (entries 100-150) failed: the artifact is gone')];
    // Act
    const text = describeFailure(
      { Error: 'States.ExceedToleratedFailureThreshold', Cause: 'The specified tolerated failure threshold was exceeded' },
      timeline,
    );
    // Assess
    expect(text).toBe('staging failed: chunk 2 (entries 100-150) failed: the artifact is gone');
  });

  it("keeps Step Functions' words when no chunk failure was recorded", () => {
    expect(describeFailure({ Error: 'States.ExceedToleratedFailureThreshold', Cause: 'threshold exceeded' }, [])).toBe(
      'States.ExceedToleratedFailureThreshold: threshold exceeded',
    );
  });

  it('keeps an error name that is a word, not a class name', () => {
    expect(describeFailure({ Error: 'interrupted', Cause: 'slipway dev stopped' })).toBe('interrupted: slipway dev stopped');
    expect(describeFailure({ Error: 'UnhealthyReleaseError', Cause: 'probe answered 503' })).toBe('probe answered 503');
  });

  it("reads the message out of a Lambda error cause, without the error's class name", () => {
    expect(describeFailure({ Error: 'ArtifactRejectedError', Cause: JSON.stringify({ errorMessage: 'entry ../x escapes' }) })).toBe('entry ../x escapes');
  });
});

describe('Function: stageSiteChunk', () => {
  it('records a failed chunk in the timeline and fails with the same error', async () => {
    // Prepare: the deployment's artifact is gone
    const updates: { id: string; message?: string }[] = [];
    const deployments: DeploymentStore = {
      get: async (id) => ({ id, artifact: { bucket: 'b', key: 'releases/www/r2.zip' } }) as Deployment,
      update: async (id, _patch, e) => {
        updates.push({ id, ...(e.message ? { message: e.message } : {}) });
        return undefined;
      },
      create: async () => {
        throw new Error('not used');
      },
      listByTarget: async () => [],
    };
    const deps = { deployments, artifacts: { head: async () => undefined } } as unknown as StageChunkDeps;
    const input = { deploymentId: 'd-1', chunk: { index: 3, start: 150, end: 200 } } as StageChunkInput;
    // Act
    const outcome = stageSiteChunk(deps, input);
    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'MissingResourceError' });
    expect(updates).toEqual([{ id: 'd-1', message: 'chunk 3 (entries 150-200) failed: the artifact of d-1 is gone' }]);
  });
});
