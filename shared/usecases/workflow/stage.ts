import { codeSha256FromHex } from '../../domain/deployment.js';
import { ConcurrentModificationError, ConflictError, MissingResourceError, RoutingPreconditionError } from '../../domain/errors.js';
import { planSteps, type TrafficStep } from '../../domain/strategy.js';
import type { AliasReader, DeploymentStore, VersionConfiguration, VersionPublisher } from '../../ports/index.js';
import { facts, requireFunctionTarget, seenByWrite, type WorkflowState } from './state.js';

export interface StageDeps {
  deployments: DeploymentStore;
  aliases: AliasReader;
  versions: VersionPublisher;
}

export function versionDescription(deploymentId: string, release: string): string {
  return `slipway ${deploymentId} release ${release}`;
}

/** Whether a plan splits traffic between two versions (weighted alias routing) at some step. */
export function splitsTraffic(steps: TrafficStep[]): boolean {
  return steps.some((step) => step.percent > 0 && step.percent < 100);
}

/**
 * An alias on `$LATEST` is refused for every strategy: weighted routing cannot start from it, and
 * even AllAtOnce would go live at UpdateFunctionCode, before the pre-traffic hook, and a rollback
 * "back to $LATEST" would land on the new code.
 */
export function assertAliasOnPublishedVersion(fn: string, alias: string, version: string): void {
  if (version !== '$LATEST') return;
  throw new RoutingPreconditionError(
    `alias ${fn}:${alias} points at $LATEST, so updating the code would put it live at once and there is no version to roll back to; ` +
      `publish a version and point the alias at it (aws lambda publish-version --function-name ${fn}, then aws lambda update-alias --function-name ${fn} --name ${alias} --function-version <version>), then deploy again`,
  );
}

/** Lambda's weighted routing refuses two versions with different execution roles or dead-letter queues. */
export function assertRoutable(
  fn: string,
  alias: string,
  from: { version: string; config: VersionConfiguration },
  to: { version: string; config: VersionConfiguration },
): void {
  const differences: string[] = [];
  if (from.config.role !== to.config.role) differences.push(`execution role (${from.config.role} vs ${to.config.role})`);
  const fromDlq = from.config.deadLetterTargetArn ?? 'none';
  const toDlq = to.config.deadLetterTargetArn ?? 'none';
  if (fromDlq !== toDlq) differences.push(`dead-letter queue (${fromDlq} vs ${toDlq})`);
  if (!differences.length) return;
  throw new RoutingPreconditionError(
    `alias ${fn}:${alias} cannot split traffic between version ${from.version} and ${to.version === '$LATEST' ? 'the new version' : `version ${to.version}`}: ` +
      `they differ in ${differences.join(' and ')}, and Lambda's weighted alias routing requires both to be the same; ` +
      `give the function the role and dead-letter config of version ${from.version}, or deploy this change with the AllAtOnce strategy`,
  );
}

/**
 * Makes the release an immutable version and remembers the version the alias had. Every step can
 * run again: a version this deployment already published is found by its description, and a
 * release that is already live is a no-op.
 */
export async function stage(deps: StageDeps, state: WorkflowState): Promise<WorkflowState> {
  const target = requireFunctionTarget(state);
  const fn = target.function.name;
  const id = state.deploymentId;
  const deployment = await facts(deps.deployments, state);

  const alias = await deps.aliases.getAlias(fn, target.function.alias);
  assertAliasOnPublishedVersion(fn, target.function.alias, alias.version);
  if (alias.additional && alias.additional.version !== deployment.toVersion) {
    throw new ConflictError(
      `alias ${fn}:${target.function.alias} splits traffic with version ${alias.additional.version}, which slipway did not start; remove the routing config and deploy again`,
    );
  }
  const fromVersion = deployment.fromVersion ?? alias.version;
  const seen = { aliasRevision: alias.revisionId };

  if (deployment.trigger === 'rollback') {
    const toVersion = deployment.toVersion;
    if (!toVersion) throw new MissingResourceError(`rollback ${id} names no version`);
    const sha = await deps.versions.codeSha256(fn, toVersion);
    const noop = alias.version === toVersion && !alias.additional;
    seenByWrite(await deps.deployments.update(id, { fromVersion }, { step: 'stage', message: `rolling back to version ${toVersion} (CodeSha256 ${sha})` }));
    return { ...state, ...seen, record: { ...deployment, fromVersion }, noop };
  }

  const expected = codeSha256FromHex(deployment.sha256 ?? '');
  if (!deployment.sha256) throw new ConflictError(`deployment ${id} has no checksum; Prepare must run first`);

  const weighted = splitsTraffic(state.steps ?? planSteps(target.strategy));
  // The listing names every version's CodeSha256: the live one's configuration is read only when
  // weighted routing needs its role and dead-letter queue.
  const versions = await deps.versions.listVersions(fn);
  const liveSha = weighted ? undefined : versions.find((v) => v.version === fromVersion)?.codeSha256;
  const live = liveSha === undefined ? await deps.versions.versionConfiguration(fn, fromVersion) : undefined;
  if (!deployment.toVersion && (liveSha ?? live?.codeSha256) === expected) {
    seenByWrite(
      await deps.deployments.update(
        id,
        { fromVersion, toVersion: fromVersion },
        { step: 'stage', message: `release is already live as version ${fromVersion} (same CodeSha256); nothing to do` },
      ),
    );
    return { ...state, ...seen, record: { ...deployment, fromVersion, toVersion: fromVersion }, publishedVersions: versions.length, noop: true };
  }

  let toVersion = deployment.toVersion;
  let publishedVersions = versions.length;
  if (!toVersion) {
    const description = versionDescription(id, deployment.release);
    const published = versions.find((v) => v.description === description);
    if (published) {
      toVersion = published.version;
    } else {
      if (!deployment.artifact) throw new MissingResourceError(`deployment ${id} names no artifact`);
      // A version publishes $LATEST's configuration: checking $LATEST refuses before anything changes.
      if (weighted && live) {
        assertRoutable(
          fn,
          target.function.alias,
          { version: fromVersion, config: live },
          { version: '$LATEST', config: await deps.versions.versionConfiguration(fn, '$LATEST') },
        );
      }
      const updated = await deps.versions.updateCode(fn, deployment.artifact);
      if (updated.codeSha256 !== expected) {
        throw new ConcurrentModificationError(
          `after the update ${fn} has CodeSha256 ${updated.codeSha256}, not the release's ${expected}; another change reached the function`,
        );
      }
      toVersion = await deps.versions.publishVersion(fn, { codeSha256: expected, revisionId: updated.revisionId }, description);
      publishedVersions += 1;
    }
  }
  // No traffic before the version is ready; and its configuration may have changed since the check above.
  const ready = await deps.versions.awaitVersionActive(fn, toVersion);
  if (weighted && live) assertRoutable(fn, target.function.alias, { version: fromVersion, config: live }, { version: toVersion, config: ready });
  seenByWrite(
    await deps.deployments.update(
      id,
      { fromVersion, toVersion },
      { step: 'stage', message: `published version ${toVersion}; alias ${target.function.alias} is on version ${fromVersion}` },
    ),
  );
  return { ...state, ...seen, record: { ...deployment, fromVersion, toVersion }, publishedVersions, noop: false };
}
