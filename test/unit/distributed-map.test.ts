import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Deployment, TimelineEntry } from '../../shared/domain/deployment.js';
import { DEFINITION_PATH, LOCAL_MAP_CONCURRENCY, loadDefinition } from '../../dev/definition.js';
import type { DeploymentStore } from '../../shared/ports/index.js';
import { stageSiteChunk, type StageChunkDeps, type StageChunkInput } from '../../shared/usecases/site/stage-chunk.js';
import { describeFailure } from '../../shared/usecases/workflow/rollback.js';

type MapState = {
  Type: string;
  Label?: string;
  MaxConcurrency?: number;
  ToleratedFailurePercentage?: number;
  ItemProcessor: { ProcessorConfig: { Mode: string; ExecutionType?: string }; States: Record<string, { Resource?: unknown }> };
};

describe('StageSite: a Distributed Map in AWS, an inline Map locally', () => {
  it('runs each chunk in a STANDARD child execution in the deployed definition', () => {
    // Act
    const raw = JSON.parse(readFileSync(DEFINITION_PATH, 'utf8')) as { States: Record<string, MapState> };
    const map = raw.States['StageSite']!;
    // Assess: STANDARD because a chunk may take up to its Task timeout (900 s), past EXPRESS's 5 minutes
    expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    expect(map.ToleratedFailurePercentage).toBe(0);
    expect(map.MaxConcurrency).toBeGreaterThan(LOCAL_MAP_CONCURRENCY);
  });

  it('loads it as an inline Map with the local concurrency and no Distributed-only fields', () => {
    // Act
    const map = loadDefinition().States['StageSite'] as unknown as MapState;
    // Assess
    expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'INLINE' });
    expect(map.MaxConcurrency).toBe(LOCAL_MAP_CONCURRENCY);
    expect(map).not.toHaveProperty('Label');
    expect(map).not.toHaveProperty('ToleratedFailurePercentage');
    expect(map.ItemProcessor.States['StageSiteChunk']!.Resource).toBe('arn:aws:lambda:us-east-1:123456789012:function:slipway-local-stageSiteChunk');
  });

  it('takes a smaller local concurrency when asked', () => {
    expect((loadDefinition({ mapConcurrency: 2 }).States['StageSite'] as unknown as MapState).MaxConcurrency).toBe(2);
  });
});

describe('Function: describeFailure', () => {
  const entry = (message: string): TimelineEntry => ({ at: '2026-11-26T00:00:00.000Z', step: 'stage', message });

  it("names the failed chunk's reason when a Distributed Map reports only its threshold", () => {
    // Prepare
    const timeline = [entry('chunk 0 (entries 0-50) failed: throttled'), entry('chunk 2 (entries 100-150) failed: the artifact is gone')];
    // Act
    const text = describeFailure({ Error: 'States.ExceedToleratedFailureThreshold', Cause: 'The specified tolerated failure threshold was exceeded' }, timeline);
    // Assess
    expect(text).toBe('staging failed: chunk 2 (entries 100-150) failed: the artifact is gone');
  });

  it("keeps Step Functions' words when no chunk failure was recorded", () => {
    expect(describeFailure({ Error: 'States.ExceedToleratedFailureThreshold', Cause: 'threshold exceeded' }, [])).toBe(
      'States.ExceedToleratedFailureThreshold: threshold exceeded',
    );
  });

  it('reads the message out of a Lambda error cause', () => {
    expect(describeFailure({ Error: 'ArtifactRejectedError', Cause: JSON.stringify({ errorMessage: 'entry ../x escapes' }) })).toBe(
      'ArtifactRejectedError: entry ../x escapes',
    );
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
