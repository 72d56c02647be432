import {
  CONFIG_DIGEST_ENV,
  configurationDigest,
  diffConfiguration,
  LAMBDA_MAX_ENVIRONMENT_BYTES,
  shortDigest,
  type ConfigurationChange,
  type FunctionConfiguration,
  type PinnedConfiguration,
  type PinnedValue,
} from '../../domain/configuration.js';
import { codeSha256FromHex, type Deployment, type DeploymentConfiguration } from '../../domain/deployment.js';
import {
  ConcurrentModificationError,
  ConflictError,
  MissingResourceError,
  RoutingPreconditionError,
  UnhealthyReleaseError,
  ValidationError,
} from '../../domain/errors.js';
import { planSteps, type TrafficStep } from '../../domain/strategy.js';
import type {
  AliasReader,
  DeploymentStore,
  FunctionSettings,
  HealthSignals,
  ParameterResolver,
  SecretResolver,
  VersionConfiguration,
  VersionPublisher,
} from '../../ports/index.js';
import { alarmNames, ignoredIfPreexisting, type FunctionTarget } from '../../domain/target.js';
import { facts, requireFunctionTarget, seenByWrite, type WorkflowState } from './state.js';
import { allocateOnNewVersion, type ProvisionedConcurrencyDeps } from './provisioned-concurrency.js';

export interface StageDeps {
  deployments: DeploymentStore;
  aliases: AliasReader;
  versions: VersionPublisher;
  /** Where a target's `configuration` references are resolved (needed only by targets that have one). */
  parameters?: ParameterResolver;
  secrets?: SecretResolver;
  /** Alarms already firing as a function's deployment starts (preexistingAlarms). */
  health?: Pick<HealthSignals, 'alarmsFiring'>;
  /** The live version's provisioned concurrency, allocated on the new version before traffic moves (provisioned-concurrency.ts). */
  provisioned?: Omit<ProvisionedConcurrencyDeps, 'deployments'>;
}

/** A configuration resolved for one deployment: what the record keeps, and what the function gets (secret values: never logged). */
export interface ResolvedConfiguration {
  pinned: PinnedConfiguration;
  digest: string;
  settings: FunctionSettings;
}

/**
 * Pins every reference to the version that is current now and builds the version's settings:
 * plain values, resolved values and SLIPWAY_CONFIG_DIGEST. The values are written into the
 * version's environment (docs/environments.md: a rollback brings the older values back).
 */
export async function resolveConfiguration(
  deps: Pick<StageDeps, 'parameters' | 'secrets'>,
  fn: string,
  config: FunctionConfiguration,
): Promise<ResolvedConfiguration> {
  const pinnedEnv: Record<string, PinnedValue> = {};
  const environment: Record<string, string> = {};
  for (const [key, wanted] of Object.entries(config.environment).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (typeof wanted === 'string') {
      pinnedEnv[key] = { value: wanted };
      environment[key] = wanted;
    } else if ('parameter' in wanted) {
      if (!deps.parameters)
        throw new MissingResourceError(`Stage was built without an SSM client, so ${key} (SSM parameter ${wanted.parameter}) cannot be resolved`);
      const got = await deps.parameters.resolveParameter(wanted.parameter);
      pinnedEnv[key] = { parameter: wanted.parameter, version: got.version };
      environment[key] = got.value;
    } else {
      if (!deps.secrets)
        throw new MissingResourceError(`Stage was built without a Secrets Manager client, so ${key} (secret ${wanted.secret}) cannot be resolved`);
      const got = await deps.secrets.resolveSecret(wanted.secret);
      pinnedEnv[key] = { secret: wanted.secret, versionId: got.versionId };
      environment[key] = got.value;
    }
  }
  const pinned: PinnedConfiguration = {
    environment: pinnedEnv,
    ...(config.memorySize !== undefined ? { memorySize: config.memorySize } : {}),
    ...(config.timeout !== undefined ? { timeout: config.timeout } : {}),
  };
  const digest = configurationDigest(pinned);
  environment[CONFIG_DIGEST_ENV] = digest;
  assertEnvironmentFits(fn, environment);
  return {
    pinned,
    digest,
    settings: {
      environment,
      ...(config.memorySize !== undefined ? { memorySize: config.memorySize } : {}),
      ...(config.timeout !== undefined ? { timeout: config.timeout } : {}),
    },
  };
}

/** Lambda counts keys and values together against 4 KB; the error names the largest keys and their sizes, never a value. */
export function assertEnvironmentFits(fn: string, environment: Record<string, string>): void {
  const sizes = Object.entries(environment).map(([key, value]) => ({ key, bytes: Buffer.byteLength(key, 'utf8') + Buffer.byteLength(value, 'utf8') }));
  const total = sizes.reduce((sum, s) => sum + s.bytes, 0);
  if (total <= LAMBDA_MAX_ENVIRONMENT_BYTES) return;
  const largest = sizes
    .filter((s) => s.key !== CONFIG_DIGEST_ENV)
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 3)
    .map((s) => `${s.key} (${s.bytes} bytes)`);
  throw new ValidationError(
    `the environment of ${fn} would be ${total} bytes, over Lambda's limit of ${LAMBDA_MAX_ENVIRONMENT_BYTES} bytes (names and values together, ${CONFIG_DIGEST_ENV} included); ` +
      `the largest: ${largest.join(', ')}; make them smaller or have the function read them at run time, then deploy again`,
  );
}

/** The pinned configuration behind a live version: the record of the succeeded deployment that published it with that digest. */
async function livePinned(deps: StageDeps, target: string, version: string, digest: string | undefined): Promise<PinnedConfiguration | undefined> {
  if (!digest) return undefined;
  const history = await deps.deployments.listByTarget(target, { limit: 100 });
  const published = history.find(
    (d: Deployment) => d.status === 'succeeded' && d.toVersion === version && d.configuration?.digest === digest && d.configuration.pinned,
  );
  return published?.configuration?.pinned;
}

const MAX_LISTED_CHANGES = 8;

/** The timeline's short list of changes: keys and how they change, secrets by reference only (describePinned). */
export function describeChanges(changes: ConfigurationChange[]): string {
  if (!changes.length) return 'no changes';
  const bounded = (text: string) => (text.length > 60 ? `${text.slice(0, 57)}...` : text);
  const listed = changes
    .slice(0, MAX_LISTED_CHANGES)
    .map((c) => `${c.key} ${c.change}${c.change === 'removed' || c.to === undefined ? '' : ` to ${bounded(c.to)}`}`);
  const more = changes.length > MAX_LISTED_CHANGES ? ` and ${changes.length - MAX_LISTED_CHANGES} more` : '';
  return `${listed.join('; ')}${more}`;
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

/** What staging one function decided: its versions, whether it changes, and the record's words for it. */
export interface FunctionStaged {
  fromVersion: string;
  toVersion: string;
  noop: boolean;
  aliasRevision: string;
  publishedVersions?: number;
  configuration?: DeploymentConfiguration;
  message: string;
}

/** One function's release as Stage sees it: a function target's record, or one component of an app's. */
export interface FunctionRelease {
  deploymentId: string;
  release: string;
  trigger: Deployment['trigger'];
  /** Hex sha256 of the function's zip (a rollback: none needed). */
  sha256?: string;
  artifact?: Deployment['artifact'];
  /** Known from an earlier attempt or from the rollback request. */
  fromVersion?: string;
  toVersion?: string;
  /** Whether the plan splits traffic at some step (routing needs the same role and DLQ). */
  weighted: boolean;
}

/**
 * Stages one function: a rollback checks the version it returns to; otherwise the release is
 * published as an immutable version (configuration first), or found live already (same CodeSha256
 * and configuration: a no-op), or found published by an earlier attempt of this deployment.
 * Writes nothing to the record: the caller does, with `message`.
 */
export async function stageFunction(deps: StageDeps, target: FunctionTarget, release: FunctionRelease): Promise<FunctionStaged> {
  const fn = target.function.name;
  const id = release.deploymentId;
  const alias = await deps.aliases.getAlias(fn, target.function.alias);
  assertAliasOnPublishedVersion(fn, target.function.alias, alias.version);
  if (alias.additional && alias.additional.version !== release.toVersion) {
    throw new ConflictError(
      `alias ${fn}:${target.function.alias} splits traffic with version ${alias.additional.version}, which slipway did not start; remove the routing config and deploy again`,
    );
  }
  const fromVersion = release.fromVersion ?? alias.version;
  const aliasRevision = alias.revisionId;

  if (release.trigger === 'rollback') {
    const toVersion = release.toVersion;
    if (!toVersion) throw new MissingResourceError(`rollback ${id} names no version of ${fn}`);
    const sha = await deps.versions.codeSha256(fn, toVersion);
    const noop = alias.version === toVersion && !alias.additional;
    return { fromVersion, toVersion, noop, aliasRevision, message: `rolling back to version ${toVersion} (CodeSha256 ${sha})` };
  }

  if (!release.sha256) throw new ConflictError(`deployment ${id} has no checksum for ${fn}; Prepare must run first`);
  const expected = codeSha256FromHex(release.sha256);
  const weighted = release.weighted;
  // Resolved before anything changes: a missing parameter or secret stops the deployment here.
  const resolved = target.configuration ? await resolveConfiguration(deps, fn, target.configuration) : undefined;
  // The listing names every version's CodeSha256: the live one's configuration is read only when
  // weighted routing needs its role and dead-letter queue, or a configuration its digest.
  const versions = await deps.versions.listVersions(fn);
  const liveSha = weighted || resolved ? undefined : versions.find((v) => v.version === fromVersion)?.codeSha256;
  const live = liveSha === undefined ? await deps.versions.versionConfiguration(fn, fromVersion) : undefined;
  let configuration: DeploymentConfiguration | undefined;
  if (resolved) {
    const fromDigest = live?.configDigest;
    const before = fromDigest === resolved.digest ? resolved.pinned : await livePinned(deps, target.name, fromVersion, fromDigest);
    configuration = {
      digest: resolved.digest,
      ...(fromDigest ? { fromDigest } : {}),
      pinned: resolved.pinned,
      changes: diffConfiguration(before, resolved.pinned),
    };
  }
  const sameConfiguration = !resolved || live?.configDigest === resolved.digest;
  if (!release.toVersion && (liveSha ?? live?.codeSha256) === expected && sameConfiguration) {
    return {
      fromVersion,
      toVersion: fromVersion,
      noop: true,
      aliasRevision,
      publishedVersions: versions.length,
      ...(configuration ? { configuration } : {}),
      message: `release is already live as version ${fromVersion} (same CodeSha256${resolved ? `, same configuration ${shortDigest(resolved.digest)}` : ''}); nothing to do`,
    };
  }

  let toVersion = release.toVersion;
  let publishedVersions = versions.length;
  if (!toVersion) {
    const description = versionDescription(id, release.release);
    const published = versions.find((v) => v.description === description);
    if (published) {
      toVersion = published.version;
    } else {
      if (!release.artifact) throw new MissingResourceError(`deployment ${id} names no artifact for ${fn}`);
      // The configuration goes on $LATEST first: PublishVersion then publishes it with the code,
      // and the RevisionId guard below covers both. Setting the same values again on a retry is harmless.
      if (resolved) await deps.versions.updateConfiguration(fn, resolved.settings);
      // A version publishes $LATEST's configuration: checking $LATEST refuses before anything changes.
      if (weighted && live) {
        assertRoutable(
          fn,
          target.function.alias,
          { version: fromVersion, config: live },
          { version: '$LATEST', config: await deps.versions.versionConfiguration(fn, '$LATEST') },
        );
      }
      const updated = await deps.versions.updateCode(fn, release.artifact);
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
  if (resolved && ready.configDigest !== resolved.digest) {
    // A retry found the version an earlier attempt published, but a parameter or secret moved on
    // since: the record would name versions the function does not run with.
    throw new ConcurrentModificationError(
      `version ${toVersion} of ${fn} carries configuration ${shortDigest(ready.configDigest ?? 'none')}, not ${shortDigest(resolved.digest)}: ` +
        'a referenced parameter or secret changed while this deployment was staging, or another change reached the function; deploy again',
    );
  }
  const configured = configuration ? ` with configuration ${shortDigest(configuration.digest)} (${describeChanges(configuration.changes)})` : '';
  return {
    fromVersion,
    toVersion,
    noop: false,
    aliasRevision,
    publishedVersions,
    ...(configuration ? { configuration } : {}),
    message: `published version ${toVersion}${configured}; alias ${target.function.alias} is on version ${fromVersion}`,
  };
}

/**
 * Makes the release an immutable version and remembers the version the alias had. Every step can
 * run again: a version this deployment already published is found by its description, and a
 * release that is already live is a no-op.
 */
export async function stage(deps: StageDeps, state: WorkflowState): Promise<WorkflowState> {
  const target = requireFunctionTarget(state);
  const deployment = await facts(deps.deployments, state);
  const ignoredAlarms = deployment.trigger === 'rollback' ? [] : await preexistingAlarms(deps, target, state.deploymentId);
  const staged = await stageFunction(deps, target, {
    deploymentId: state.deploymentId,
    release: deployment.release,
    trigger: deployment.trigger,
    ...(deployment.sha256 ? { sha256: deployment.sha256 } : {}),
    ...(deployment.artifact ? { artifact: deployment.artifact } : {}),
    ...(deployment.fromVersion ? { fromVersion: deployment.fromVersion } : {}),
    ...(deployment.toVersion ? { toVersion: deployment.toVersion } : {}),
    weighted: splitsTraffic(state.steps ?? planSteps(target.strategy)),
  });
  const { fromVersion, toVersion, configuration } = staged;
  const rollback = deployment.trigger === 'rollback';
  const written = seenByWrite(
    await deps.deployments.update(state.deploymentId, rollback ? { fromVersion } : { fromVersion, toVersion, ...(configuration ? { configuration } : {}) }, {
      step: 'stage',
      message: staged.message,
    }),
  );
  // Before any traffic moves, the new version gets the live version's provisioned concurrency (a retry finds it in the record).
  const provisioned =
    deps.provisioned && !staged.noop
      ? await allocateOnNewVersion(
          { ...deps.provisioned, deployments: deps.deployments },
          target,
          state,
          { fromVersion, toVersion },
          written?.provisionedConcurrency,
        )
      : state;
  return {
    ...provisioned,
    aliasRevision: staged.aliasRevision,
    record: { ...deployment, fromVersion, toVersion },
    ...(staged.publishedVersions !== undefined ? { publishedVersions: staged.publishedVersions } : {}),
    ...(ignoredAlarms.length > 0 ? { ignoredAlarms } : {}),
    noop: staged.noop,
  };
}

/**
 * Alarms already in ALARM as the deployment starts, before anything is published: they block it
 * (UnhealthyReleaseError, nothing moved), unless `preexisting: "ignore"` lets a hotfix through;
 * those are recorded and left out of this deployment's checks (docs/analysis.md).
 */
async function preexistingAlarms(deps: StageDeps, target: FunctionTarget, deploymentId: string): Promise<string[]> {
  const names = alarmNames(target.health.alarms);
  if (names.length === 0 || !deps.health) return [];
  const firing = await deps.health.alarmsFiring(names);
  if (firing.length === 0) return [];
  const ignorable = ignoredIfPreexisting(target.health.alarms);
  const blocking = firing.filter((a) => !ignorable.has(a));
  const list = (alarms: string[]) => alarms.map((a) => `"${a}"`).join(', ');
  if (blocking.length > 0) {
    throw new UnhealthyReleaseError(
      `alarm ${list(blocking)} was already in ALARM when the deployment started, so the release was not deployed: fix what it reports first, or give it "preexisting": "ignore" in the target's health.alarms to let a hotfix through`,
    );
  }
  await deps.deployments.update(
    deploymentId,
    {},
    {
      step: 'stage',
      message: `alarm ${list(firing)} was already in ALARM when the deployment started; "preexisting": "ignore" lets the release through and leaves ${firing.length === 1 ? 'it' : 'them'} out of this deployment's checks`,
    },
  );
  return firing;
}
