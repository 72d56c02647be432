import { createHash } from 'node:crypto';
import { GetAliasCommand, GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDeploymentStore } from '../../shared/adapters/aws/dynamo-deployments.js';
import { EventBridgeDeploymentEvents } from '../../shared/adapters/aws/eventbridge-events.js';
import { withDeploymentEvents } from '../../shared/usecases/deployment-events.js';
import { DynamoLockStore } from '../../shared/adapters/aws/dynamo-locks.js';
import { DynamoTargetStore } from '../../shared/adapters/aws/dynamo-targets.js';
import { S3ArtifactStore } from '../../shared/adapters/aws/s3-artifacts.js';
import { CloudFrontOriginReader } from '../../shared/adapters/aws/cloudfront-origin-reader.js';
import { LambdaAliasReader } from '../../shared/adapters/aws/lambda-alias-reader.js';
import { LambdaVersionCatalog } from '../../shared/adapters/aws/lambda-version-catalog.js';
import { S3SiteReader } from '../../shared/adapters/aws/s3-site-reader.js';
import { systemClock } from '../../shared/adapters/system-clock.js';
import type { Orchestrator } from '../../shared/ports/index.js';
import type { LocalOrchestrator, LocalRunOptions } from '../../dev/local-orchestrator.js';
import { createAliasedFunction, createAlarm, provisionService } from '../../dev/provision.js';
import { functionPackage } from '../../dev/zip.js';
import { releaseKey } from '../../shared/domain/artifact-key.js';
import { deploymentIdForObject, type Deployment } from '../../shared/domain/deployment.js';
import { functionTargetSchema, parseWith, type FunctionTarget } from '../../shared/domain/target.js';
import type { z } from 'zod';
import { acceptUpload } from '../../shared/usecases/intake.js';
import { registerArtifactBucket, uniqueName, useMoto } from './aws-env.js';
import { testRuntime } from './runtime.js';
import { executionNameValid, historyWithinLimit, lambdaResponseWithinLimit, stateDataWithinLimit } from './strict-aws/state-limits.js';

/** Every Wait state of the definition made instant: bakes and lock waits pass at once. */
export const INSTANT_WAITS = { WaitForLock: 0, Bake: 0, WaitForInvalidation: 0, WaitForDistribution: 0, Soak: 0 };
export const INSTANT_RETRIES = {
  Prepare: 0,
  AcquireLock: 0,
  Stage: 0,
  CheckProvisionedConcurrency: 0,
  StageSiteChunk: 0,
  FinishSiteStaging: 0,
  PreTrafficHook: 0,
  ShiftTraffic: 0,
  CheckHealth: 0,
  InvalidateCdn: 0,
  PostTrafficHook: 0,
  Finalize: 0,
  PromoteDownstream: 0,
  Rollback: 0,
};

export interface World {
  bucket: string;
  tableName: string;
  eventBus: string;
  artifacts: S3ArtifactStore;
  targets: DynamoTargetStore;
  deployments: DynamoDeploymentStore;
  locks: DynamoLockStore;
  lambda: LambdaClient;
  s3: S3Client;
}

/** Provisions a fresh table, bucket, queue and bus in moto and points the handlers at them. */
export async function createWorld(): Promise<World> {
  useMoto();
  const names = {
    tableName: uniqueName('wf-table'),
    artifactBucket: uniqueName('wf-artifacts'),
    queueName: uniqueName('wf-intake'),
    eventBus: uniqueName('wf-bus'),
  };
  await provisionService(names);
  await registerArtifactBucket(names.artifactBucket);
  process.env.SLIPWAY_TABLE = names.tableName;
  process.env.SLIPWAY_ARTIFACT_BUCKET = names.artifactBucket;
  process.env.SLIPWAY_EVENT_BUS = names.eventBus;
  // moto's CloudWatch cannot compute percentiles (a p99 query answers 500); the p99 query is covered with a mock.
  process.env.SLIPWAY_DURATION_P99 = 'off';
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  return {
    bucket: names.artifactBucket,
    tableName: names.tableName,
    eventBus: names.eventBus,
    artifacts: new S3ArtifactStore(),
    targets: new DynamoTargetStore(),
    deployments: new DynamoDeploymentStore(),
    locks: new DynamoLockStore(),
    lambda: new LambdaClient({}),
    s3: new S3Client({ forcePathStyle: true }),
  };
}

/** A function target with its own function (version 1 behind `live`) and optional alarms. */
export async function createFunctionTarget(
  world: World,
  overrides: Partial<z.input<typeof functionTargetSchema>> = {},
  alarms: string[] = [],
): Promise<FunctionTarget> {
  const name = uniqueName('fn').toLowerCase().slice(0, 40);
  await createAliasedFunction(name, await functionPackage('v1'));
  for (const alarm of alarms) await createAlarm(alarm);
  const target = parseWith(functionTargetSchema, { name, kind: 'function', function: { name, alias: 'live' }, ...overrides }, 'target');
  await world.targets.put(target);
  return target;
}

export async function uploadRelease(
  world: World,
  target: string,
  release: string,
  body: Uint8Array,
  metadata: Record<string, string> = {},
): Promise<{ versionId?: string; etag?: string; key: string; sha256: string }> {
  const key = releaseKey(target, release);
  const out = await world.s3.send(new PutObjectCommand({ Bucket: world.bucket, Key: key, Body: body, Metadata: metadata }));
  return {
    key,
    ...(out.VersionId ? { versionId: out.VersionId } : {}),
    ...(out.ETag ? { etag: out.ETag.replaceAll('"', '') } : {}),
    sha256: createHash('sha256').update(body).digest('hex'),
  };
}

/** Uploads a release and feeds the upload to intake, as the S3 notification would. */
export async function release(
  world: World,
  orchestrator: LocalOrchestrator,
  target: string,
  name: string,
  body: Uint8Array,
  options: { metadata?: Record<string, string>; eventTime?: string } = {},
): Promise<{ id: string; sha256: string }> {
  const uploaded = await uploadRelease(world, target, name, body, options.metadata);
  const outcome = await acceptUpload(intakeDeps(world, orchestrator), {
    bucket: world.bucket,
    rawKey: encodeURIComponent(uploaded.key),
    ...(uploaded.versionId ? { versionId: uploaded.versionId } : {}),
    ...(uploaded.etag ? { etag: uploaded.etag } : {}),
    eventTime: options.eventTime ?? new Date().toISOString(),
  });
  const id = 'deploymentId' in outcome ? outcome.deploymentId : deploymentIdForObject({ bucket: world.bucket, key: uploaded.key });
  return { id, sha256: uploaded.sha256 };
}

/** The real definition with the real handlers (built by the test root), waits and retries instant unless overridden. */
export function localOrchestrator(options: LocalRunOptions = {}, runtime: Omit<Parameters<typeof testRuntime>[0], 'run'> = {}): LocalOrchestrator {
  return testRuntime({ ...runtime, run: withAwsLimits({ waitTimeOverrides: INSTANT_WAITS, retryIntervalOverrides: INSTANT_RETRIES, ...options }) })
    .orchestrator;
}

/**
 * The limits Step Functions and Lambda enforce and the local engine does not, on every Task: its
 * input and output (≤ 256 KiB of state data), its answer (≤ 6 MB), and every execution's name.
 * The history limit is checked when a test reads the outcome (finished()).
 */
export function withAwsLimits(options: LocalRunOptions): LocalRunOptions {
  const { wrapTask, onStart } = options;
  return {
    ...options,
    onStart: (name) => {
      executionNameValid(name);
      onStart?.(name);
    },
    wrapTask: (stateName, functionKey, run) => {
      const inner = wrapTask ? wrapTask(stateName, functionKey, run) : run;
      return async (input) => {
        stateDataWithinLimit(input, `the input of ${stateName}`);
        const output = await inner(input);
        lambdaResponseWithinLimit(output);
        stateDataWithinLimit(output, `the output of ${stateName}`);
        return output;
      };
    },
  };
}

export async function aliasOf(world: World, fn: string) {
  return world.lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'live' }));
}

export async function codeShaOf(world: World, fn: string, qualifier: string): Promise<string> {
  const out = await world.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn, Qualifier: qualifier }));
  return out.CodeSha256 ?? '';
}

export async function finished(world: World, orchestrator: LocalOrchestrator, id: string): Promise<Deployment> {
  await orchestrator.settled(id);
  const record = await world.deployments.get(id);
  const execution = orchestrator.executions.get(id);
  if (!record) throw new Error(`no record for ${id} (execution: ${JSON.stringify(execution)})`);
  if (execution) historyWithinLimit(execution.events);
  // Failures carry the path the execution took, so a red test says where it went wrong.
  if (execution) record.reason = `${record.reason ?? ''} [states: ${execution.states.join(' → ')}${execution.error ? `; ${execution.error}` : ''}]`;
  return record;
}

/** What the intake function is given: its record writes publish "Deployment Status Changed" (queued, or failed) as in AWS. */
export function intakeDeps(world: World, orchestrator: Orchestrator) {
  const deployments = withDeploymentEvents(world.deployments, new EventBridgeDeploymentEvents());
  return {
    targets: world.targets,
    artifacts: world.artifacts,
    deployments,
    orchestrator,
    artifactBucket: world.bucket,
    clock: systemClock,
    log: () => undefined,
    warn: () => undefined,
  };
}

/** What `requestRollback` is given (the API's rollback route builds the same). */
export function rollbackDeps(world: World, orchestrator: Orchestrator) {
  return {
    targets: world.targets,
    deployments: world.deployments,
    aliases: new LambdaAliasReader(),
    versions: new LambdaVersionCatalog(),
    origins: new CloudFrontOriginReader(),
    sites: new S3SiteReader(),
    orchestrator,
    clock: systemClock,
  };
}
