import { describe, expect, it } from 'vitest';
import type { Deployment } from '../../shared/domain/deployment.js';
import { parseWith, siteTargetSchema, type SiteTarget } from '../../shared/domain/target.js';
import type { ArtifactStore, DeploymentStore, TargetStore } from '../../shared/ports/index.js';
import type { SiteStore, StagingChunk, StagingPlanWriter } from '../../shared/ports/site.js';
import { finishSiteStaging } from '../../shared/usecases/site/finish-staging.js';
import { stagingPlanKey } from '../../shared/usecases/site/plan-staging.js';
import type { StageChunkInput } from '../../shared/usecases/site/stage-chunk.js';
import { prepare } from '../../shared/usecases/workflow/prepare.js';
import type { WorkflowState } from '../../shared/usecases/workflow/state.js';
import { STATE_DATA_LIMIT_BYTES, stateDataWithinLimit } from '../support/strict-aws/state-limits.js';

/** What "far under" means: the state of a site deployment whatever its size, target config included. */
const STATE_BUDGET_BYTES = 8 * 1024;

function world(entries: number, options: { trigger?: Deployment['trigger'] } = {}) {
  const target: SiteTarget = parseWith(
    siteTargetSchema,
    {
      name: 'www',
      kind: 'site',
      site: { bucket: 'origin', prefix: 'www/', distributionId: 'E2QWRUHAPOMQZL' },
      limits: { maxEntries: 1_000_000 },
      staging: { chunkEntries: 50 },
    },
    'target',
  );
  const deployment = {
    id: 'd-0123456789abcdef0123',
    target: 'www',
    release: 'r2',
    status: 'queued',
    trigger: options.trigger ?? 's3',
    artifact: { bucket: 'artifacts', key: 'releases/www/r2.zip', versionId: 'v1' },
    requestedAt: '2026-11-26T00:00:00.000Z',
    startedAt: '2026-11-26T00:00:00.000Z',
    updatedAt: '2026-11-26T00:00:00.000Z',
    trafficPercent: 0,
    timeline: [],
  } as unknown as Deployment;
  const written = new Map<string, StagingChunk[]>();
  const plans: StagingPlanWriter = {
    writePlan: async (key, chunks) => {
      written.set(key, [...chunks]);
      return { bucket: 'artifacts', key };
    },
  };
  const deployments = {
    get: async () => deployment,
    update: async () => deployment,
  } as unknown as DeploymentStore;
  const artifacts = {
    head: async () => ({ size: 1_000_000_000, metadata: {} }),
    inspectZip: async () => ({ entries, uncompressedBytes: entries * 1024, sha256: 'a'.repeat(64) }),
  } as unknown as ArtifactStore;
  const targets = { get: async () => target, list: async () => [target] } as unknown as TargetStore;
  const deps = {
    targets,
    deployments,
    artifacts,
    stager: { inspect: async () => ({ entries }) } as never,
    origins: { currentOriginPath: async () => '/www/r1' },
    plans,
    clock: { now: () => new Date('2026-12-01T00:00:00Z') },
  };
  // Every chunk left its staging record; each names one file.
  const sites: SiteStore = {
    readJson: async (_bucket, key) => {
      const index = /staging\/[^/]+\/(\d+)\.json$/.exec(key)?.[1];
      if (index !== undefined) return { files: { [`f${index}.html`]: { etag: 'e', size: 1 } }, uploaded: { files: 1, bytes: 1 }, copied: { files: 0 } };
      return undefined;
    },
    writeJson: async () => undefined,
    putFile: async () => undefined,
    listReleasePrefixes: async () => [],
    deletePrefix: async () => 0,
  };
  return { deps, sites, deployment, target, written };
}

/** What the StageSite Map's ItemSelector hands one chunk (statemachine/deploy.asl.json). */
const chunkInput = (state: WorkflowState, chunk: StagingChunk): StageChunkInput =>
  ({ deploymentId: state.deploymentId, target: state.target, site: state.site, chunk }) as StageChunkInput;

describe('Site staging at the edge: the state stays small whatever the size of the site', () => {
  it.each([100_000, 1_000_000])('plans a %i-entry site into S3 and keeps every Task input and output far under 256 KiB', async (entries) => {
    // Prepare
    const { deps, sites, written } = world(entries);
    // Act
    const prepared = await prepare(deps, { deploymentId: 'd-0123456789abcdef0123' });
    const plan = written.get(stagingPlanKey('www', 'd-0123456789abcdef0123'))!;
    const finished = await finishSiteStaging({ deployments: deps.deployments, sites, clock: { now: () => new Date('2026-12-01T00:00:00Z') } }, prepared);
    // Assess: the plan covers every entry once, in order, and lives in S3
    expect(plan).toHaveLength(entries / 50);
    expect(plan.every((chunk, i) => chunk.index === i && chunk.start === i * 50 && chunk.end === chunk.start + 50)).toBe(true);
    expect(prepared.site?.staging).toEqual({ bucket: 'artifacts', key: 'staging/www/d-0123456789abcdef0123/chunks.json', chunks: entries / 50 });
    // …the states the Tasks pass, and the biggest input a chunk gets, stay within a few KiB
    for (const data of [prepared, finished, chunkInput(prepared, plan.at(-1)!)]) {
      expect(stateDataWithinLimit(data)).toBeLessThan(STATE_BUDGET_BYTES);
    }
    expect(JSON.stringify(finished)).not.toContain('"start"');
    expect(finished.site?.invalidationPaths).toBeGreaterThan(0);
  });

  it('could not carry the plan of the largest site in the state', () => {
    // Prepare: a million entries, 50 a chunk: what the state held before the plan moved to S3
    const plan = Array.from({ length: 20_000 }, (_, index) => ({ index, start: index * 50, end: index * 50 + 50 }));
    // Assess
    expect(() => stateDataWithinLimit({ site: { chunks: plan } })).toThrow(/States.DataLimitExceeded|256 KiB/);
    expect(Buffer.byteLength(JSON.stringify(plan))).toBeGreaterThan(STATE_DATA_LIMIT_BYTES);
  });

  it('writes an empty plan for a rollback, which stages nothing (the Map still reads its plan)', async () => {
    // Prepare
    const { deps, written } = world(100_000, { trigger: 'rollback' });
    // Act
    const prepared = await prepare(deps, { deploymentId: 'd-0123456789abcdef0123' });
    // Assess
    expect(written.get(stagingPlanKey('www', 'd-0123456789abcdef0123'))).toEqual([]);
    expect(prepared.site?.staging.chunks).toBe(0);
  });
});
