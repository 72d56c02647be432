import { assertNotCancelled } from '../../domain/control.js';
import { codeSha256FromHex } from '../../domain/deployment.js';
import { ConcurrentModificationError, ConflictError, DeploymentNotFoundError, MissingResourceError } from '../../domain/errors.js';
import type { AliasReader, DeploymentStore, VersionPublisher } from '../../ports/index.js';
import { requireFunctionTarget, type WorkflowState } from './state.js';

export interface StageDeps {
  deployments: DeploymentStore;
  aliases: AliasReader;
  versions: VersionPublisher;
}

export function versionDescription(deploymentId: string, release: string): string {
  return `slipway ${deploymentId} release ${release}`;
}

/**
 * Makes the release an immutable version and remembers the version the alias had. Every step can
 * run again: a version this deployment already published is found by its description, and a
 * release that is already live is a no-op.
 */
export async function stage(deps: StageDeps, state: WorkflowState): Promise<WorkflowState> {
  const target = requireFunctionTarget(state);
  const fn = target.function.name;
  const deployment = await deps.deployments.get(state.deploymentId);
  if (!deployment) throw new DeploymentNotFoundError(state.deploymentId);
  assertNotCancelled(deployment);

  const alias = await deps.aliases.getAlias(fn, target.function.alias);
  if (alias.additional && alias.additional.version !== deployment.toVersion) {
    throw new ConflictError(
      `alias ${fn}:${target.function.alias} splits traffic with version ${alias.additional.version}, which slipway did not start; remove the routing config and deploy again`,
    );
  }
  const fromVersion = deployment.fromVersion ?? alias.version;

  if (deployment.trigger === 'rollback') {
    const toVersion = deployment.toVersion;
    if (!toVersion) throw new MissingResourceError(`rollback ${deployment.id} names no version`);
    const sha = await deps.versions.codeSha256(fn, toVersion);
    const noop = alias.version === toVersion && !alias.additional;
    await deps.deployments.update(deployment.id, { fromVersion }, { step: 'stage', message: `rolling back to version ${toVersion} (CodeSha256 ${sha})` });
    return { ...state, noop };
  }

  const expected = codeSha256FromHex(deployment.sha256 ?? '');
  if (!deployment.sha256) throw new ConflictError(`deployment ${deployment.id} has no checksum; Prepare must run first`);

  if (!deployment.toVersion && (await deps.versions.codeSha256(fn, fromVersion)) === expected) {
    await deps.deployments.update(
      deployment.id,
      { fromVersion, toVersion: fromVersion },
      { step: 'stage', message: `release is already live as version ${fromVersion} (same CodeSha256); nothing to do` },
    );
    return { ...state, noop: true };
  }

  let toVersion = deployment.toVersion;
  if (!toVersion) {
    const description = versionDescription(deployment.id, deployment.release);
    const published = (await deps.versions.listVersions(fn)).find((v) => v.description === description);
    if (published) {
      toVersion = published.version;
    } else {
      if (!deployment.artifact) throw new MissingResourceError(`deployment ${deployment.id} names no artifact`);
      const updated = await deps.versions.updateCode(fn, deployment.artifact);
      if (updated.codeSha256 !== expected) {
        throw new ConcurrentModificationError(
          `after the update ${fn} has CodeSha256 ${updated.codeSha256}, not the release's ${expected}; another change reached the function`,
        );
      }
      toVersion = await deps.versions.publishVersion(fn, { codeSha256: expected, revisionId: updated.revisionId }, description);
    }
  }
  await deps.deployments.update(
    deployment.id,
    { fromVersion, toVersion },
    { step: 'stage', message: `published version ${toVersion}; alias ${target.function.alias} is on version ${fromVersion}` },
  );
  return { ...state, noop: false };
}
