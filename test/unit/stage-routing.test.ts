import { describe, expect, it } from 'vitest';
import { codeSha256FromHex, type Deployment } from '../../shared/domain/deployment.js';
import { RoutingPreconditionError, VersionFailedError } from '../../shared/domain/errors.js';
import { planSteps } from '../../shared/domain/strategy.js';
import { functionTargetSchema, parseWith, type FunctionTarget } from '../../shared/domain/target.js';
import type { AliasState, DeploymentStore, VersionConfiguration, VersionPublisher } from '../../shared/ports/index.js';
import { stage, versionDescription } from '../../shared/usecases/workflow/stage.js';
import type { WorkflowState } from '../../shared/usecases/workflow/state.js';

const SHA_HEX = 'a'.repeat(64);
const ROLE = 'arn:aws:iam::123456789012:role/app';
const DLQ = 'arn:aws:sqs:us-east-1:123456789012:app-dlq';

/** A function with published versions and a $LATEST, recording what Stage does to it. */
class FakeFunction implements VersionPublisher {
  readonly calls: string[] = [];
  readonly configs = new Map<string, VersionConfiguration>();
  readonly descriptions = new Map<string, string>();
  /** What Lambda answers while waiting for the new version: Active unless told otherwise. */
  publishedState: Pick<VersionConfiguration, 'state' | 'stateReasonCode'> = { state: 'Active' };
  /** The configuration a published version gets (default: $LATEST's). */
  publishAs?: Partial<VersionConfiguration>;

  constructor(live: Partial<VersionConfiguration> = {}, latest: Partial<VersionConfiguration> = {}) {
    this.configs.set('1', { codeSha256: 'old=', role: ROLE, ...live });
    this.configs.set('$LATEST', { codeSha256: 'old=', role: ROLE, ...latest });
  }

  async listVersions() {
    return [...this.descriptions].map(([version, description]) => ({ version, codeSha256: this.configs.get(version)!.codeSha256, description }));
  }
  async codeSha256(_fn: string, qualifier: string) {
    return this.configs.get(qualifier)!.codeSha256;
  }
  async versionConfiguration(_fn: string, qualifier: string) {
    this.calls.push(`read ${qualifier}`);
    return this.configs.get(qualifier)!;
  }
  async updateConfiguration() {
    this.calls.push('updateConfiguration');
  }
  async updateCode() {
    this.calls.push('updateCode');
    this.configs.set('$LATEST', { ...this.configs.get('$LATEST')!, codeSha256: codeSha256FromHex(SHA_HEX) });
    return { revisionId: 'rev-2', codeSha256: codeSha256FromHex(SHA_HEX) };
  }
  async publishVersion(_fn: string, _guard: unknown, description: string) {
    this.calls.push('publishVersion');
    this.configs.set('2', { ...this.configs.get('$LATEST')!, ...this.publishAs });
    this.descriptions.set('2', description);
    return '2';
  }
  async awaitVersionActive(_fn: string, version: string) {
    this.calls.push(`await ${version}`);
    if (this.publishedState.state === 'Failed') throw new VersionFailedError(`version ${version} failed (${this.publishedState.stateReasonCode})`);
    return { ...this.configs.get(version)!, ...this.publishedState };
  }
}

function deploymentStore(deployment: Deployment): DeploymentStore & { patches: unknown[] } {
  const patches: unknown[] = [];
  return {
    patches,
    get: async () => deployment,
    update: async (_id, patch) => {
      patches.push(patch);
      Object.assign(deployment, patch);
      return deployment;
    },
    create: async () => {
      throw new Error('not used');
    },
    listByTarget: async () => [],
  };
}

function scenario(
  options: { strategy?: FunctionTarget['strategy']; alias?: string; fn?: FakeFunction; trigger?: Deployment['trigger']; toVersion?: string } = {},
) {
  const target = parseWith(
    functionTargetSchema,
    { name: 'app', kind: 'function', function: { name: 'app', alias: 'live' }, strategy: options.strategy ?? 'Canary10Percent5Minutes' },
    'target',
  );
  const deployment = {
    id: 'd-1',
    target: 'app',
    release: 'r2',
    status: 'staging',
    trigger: options.trigger ?? 's3',
    artifact: { bucket: 'artifacts', key: 'releases/app/r2.zip' },
    sha256: SHA_HEX,
    trafficPercent: 0,
    timeline: [],
    ...(options.toVersion ? { toVersion: options.toVersion } : {}),
  } as unknown as Deployment;
  const versions = options.fn ?? new FakeFunction();
  const alias: AliasState = { version: options.alias ?? '1', revisionId: 'a-1' };
  const deployments = deploymentStore(deployment);
  const deps = { deployments, aliases: { getAlias: async () => alias }, versions };
  const state: WorkflowState = { deploymentId: 'd-1', target, steps: planSteps(target.strategy), stepIndex: 0 };
  return { deps, state, versions, deployments, deployment };
}

describe('Function: stage', () => {
  describe('routing preconditions', () => {
    it.each(['Canary10Percent5Minutes', 'AllAtOnce'] as const)(
      'refuses an alias on $LATEST (%s) before the code is touched, saying what to do',
      async (strategy) => {
        // Prepare
        const { deps, state, versions, deployments } = scenario({ strategy, alias: '$LATEST' });
        // Act
        const outcome = stage(deps, state);
        // Assess
        await expect(outcome).rejects.toBeInstanceOf(RoutingPreconditionError);
        await expect(stage(deps, state)).rejects.toThrow(/points at \$LATEST.*publish a version and point the alias at it/);
        expect(versions.calls).toEqual([]);
        expect(deployments.patches).toEqual([]);
      },
    );

    it('refuses a canary whose new version would run with another execution role, before anything is published', async () => {
      // Prepare
      const fn = new FakeFunction({}, { role: 'arn:aws:iam::123456789012:role/app-v2' });
      const { deps, state, versions, deployments } = scenario({ fn });
      // Act
      const outcome = stage(deps, state);
      // Assess
      await expect(outcome).rejects.toThrow(RoutingPreconditionError);
      await expect(stage(deps, state)).rejects.toThrow(/differ in execution role .*or deploy this change with the AllAtOnce strategy/);
      expect(versions.calls).not.toContain('updateCode');
      expect(versions.calls).not.toContain('publishVersion');
      expect(deployments.patches).toEqual([]);
    });

    it('refuses a linear rollout when the dead-letter queues differ', async () => {
      const fn = new FakeFunction({ deadLetterTargetArn: DLQ }, {});
      const { deps, state, versions } = scenario({ fn, strategy: 'Linear10PercentEvery1Minute' });
      await expect(stage(deps, state)).rejects.toThrow(new RegExp(`dead-letter queue \\(${DLQ} vs none\\)`));
      expect(versions.calls).not.toContain('updateCode');
    });

    it('lets AllAtOnce change the role and the dead-letter queue: it never splits traffic', async () => {
      // Prepare
      const fn = new FakeFunction({ deadLetterTargetArn: DLQ }, { role: 'arn:aws:iam::123456789012:role/app-v2' });
      const { deps, state, deployment } = scenario({ fn, strategy: 'AllAtOnce' });
      // Act
      const next = await stage(deps, state);
      // Assess
      expect(next.noop).toBe(false);
      expect(deployment.toVersion).toBe('2');
      expect(fn.calls).not.toContain('read $LATEST');
    });

    it('refuses when the published version’s configuration differs after all (changed while publishing)', async () => {
      // Prepare: $LATEST matched when checked, the version came out with another role
      const fn = new FakeFunction();
      fn.publishAs = { role: 'arn:aws:iam::123456789012:role/other' };
      const { deps, state, deployment } = scenario({ fn });
      // Act
      const outcome = stage(deps, state);
      // Assess: refused before the alias is touched (Stage never moves it) and before toVersion is recorded
      await expect(outcome).rejects.toThrow(/between version 1 and version 2: they differ in execution role/);
      expect(deployment.toVersion).toBeUndefined();
    });

    it('checks a version published by an earlier attempt of the same deployment too', async () => {
      // Prepare
      const fn = new FakeFunction();
      fn.configs.set('2', { codeSha256: codeSha256FromHex(SHA_HEX), role: 'arn:aws:iam::123456789012:role/other' });
      fn.descriptions.set('2', versionDescription('d-1', 'r2'));
      const { deps, state } = scenario({ fn });
      // Act & Assess
      await expect(stage(deps, state)).rejects.toBeInstanceOf(RoutingPreconditionError);
      expect(fn.calls).not.toContain('updateCode');
    });
  });

  describe('version readiness', () => {
    it('waits for the published version to be Active before recording it', async () => {
      // Prepare
      const { deps, state, versions, deployment } = scenario();
      // Act
      await stage(deps, state);
      // Assess
      expect(versions.calls.slice(-2)).toEqual(['publishVersion', 'await 2']);
      expect(deployment.toVersion).toBe('2');
    });

    it('fails with the reason when Lambda cannot make the version ready', async () => {
      const fn = new FakeFunction();
      fn.publishedState = { state: 'Failed', stateReasonCode: 'InvalidRuntime' };
      const { deps, state, deployment } = scenario({ fn });
      await expect(stage(deps, state)).rejects.toThrow(/InvalidRuntime/);
      expect(deployment.toVersion).toBeUndefined();
    });
  });
});
