/**
 * The AWS composition root: the one place that builds AWS adapters and reads the functions'
 * environment. Each exported factory builds one function's handler from a root config; a
 * function's entry point (`functions/<name>.ts`) is one call of its factory, so its bundle holds
 * only the adapters (and SDK clients) that function uses. The dev runtime (`dev/`) and the tests
 * call the same factories with their own config: explicit names and endpoint, the local
 * orchestrator, an event listener.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CloudFrontCdn } from '../shared/adapters/aws/cloudfront-cdn.js';
import { CloudFrontInvalidationStatus } from '../shared/adapters/aws/cloudfront-invalidation-status.js';
import { CloudFrontCanaryDetach } from '../shared/adapters/aws/cloudfront-canary-detach.js';
import { CloudFrontContinuousDeployment } from '../shared/adapters/aws/cloudfront-continuous-deployment.js';
import { CloudFrontOriginSwitch } from '../shared/adapters/aws/cloudfront-origin.js';
import { CloudFrontOriginReader } from '../shared/adapters/aws/cloudfront-origin-reader.js';
import { CloudWatchHealthSignals } from '../shared/adapters/aws/cloudwatch-health.js';
import { CloudWatchTrafficMetrics } from '../shared/adapters/aws/cloudwatch-traffic.js';
import { CloudWatchVersionMetrics } from '../shared/adapters/aws/cloudwatch-version-metrics.js';
import { DynamoDeadLetterStore } from '../shared/adapters/aws/dynamo-dead-letters.js';
import { DynamoDeployHookStore } from '../shared/adapters/aws/dynamo-deploy-hooks.js';
import { DynamoDeploymentControl } from '../shared/adapters/aws/dynamo-deployment-control.js';
import { DynamoDeploymentStore } from '../shared/adapters/aws/dynamo-deployments.js';
import { DynamoLockStore } from '../shared/adapters/aws/dynamo-locks.js';
import { DynamoReleaseHistory } from '../shared/adapters/aws/dynamo-release-history.js';
import { DynamoDeploymentOutcomes } from '../shared/adapters/aws/dynamo-deployment-outcomes.js';
import { DynamoTargetRemover } from '../shared/adapters/aws/dynamo-target-remover.js';
import { DynamoTargetStore } from '../shared/adapters/aws/dynamo-targets.js';
import { EventBridgeDeploymentEvents } from '../shared/adapters/aws/eventbridge-events.js';
import { LambdaAliasReader } from '../shared/adapters/aws/lambda-alias-reader.js';
import { LambdaAliasRouter } from '../shared/adapters/aws/lambda-alias-router.js';
import { LambdaConcurrencyAllocator } from '../shared/adapters/aws/lambda-concurrency-allocator.js';
import { LambdaConcurrencyReleaser } from '../shared/adapters/aws/lambda-concurrency-releaser.js';
import { LambdaHookInvoker } from '../shared/adapters/aws/lambda-hook-invoker.js';
import { LambdaSyntheticInvoker } from '../shared/adapters/aws/lambda-synthetic-invoker.js';
import { LambdaVersionCatalog } from '../shared/adapters/aws/lambda-version-catalog.js';
import { LambdaVersionPruner } from '../shared/adapters/aws/lambda-version-pruner.js';
import { LambdaVersionPublisher } from '../shared/adapters/aws/lambda-version-publisher.js';
import { S3AppInspector } from '../shared/adapters/aws/s3-app-inspector.js';
import { S3ArtifactStore } from '../shared/adapters/aws/s3-artifacts.js';
import { S3ComponentPackager } from '../shared/adapters/aws/s3-component-packager.js';
import { S3ReleaseUploads } from '../shared/adapters/aws/s3-release-uploads.js';
import { S3SiteInspector } from '../shared/adapters/aws/s3-site-inspector.js';
import { S3SiteReader } from '../shared/adapters/aws/s3-site-reader.js';
import { S3SiteStager } from '../shared/adapters/aws/s3-site-stager.js';
import { SecretsManagerSecrets } from '../shared/adapters/aws/secretsmanager-secrets.js';
import { SsmParameters } from '../shared/adapters/aws/ssm-parameters.js';
import { S3SiteStore } from '../shared/adapters/aws/s3-site-store.js';
import { S3StagingPlanWriter } from '../shared/adapters/aws/s3-staging-plans.js';
import { StepFunctionsOrchestrator } from '../shared/adapters/aws/sfn-orchestrator.js';
import { FetchWebhookSender } from '../shared/adapters/http/fetch-webhook.js';
import { systemClock } from '../shared/adapters/system-clock.js';
import { hookRateFromEnv } from '../shared/domain/deploy-hook.js';
import { createApiHandler } from '../shared/handlers/api.js';
import { createIntakeHandler } from '../shared/handlers/intake.js';
import { createNotifyHandler } from '../shared/handlers/notify.js';
import { createReconcileHandler } from '../shared/handlers/reconcile.js';
import { createPromoteDownstreamHandler } from '../shared/handlers/promote-downstream.js';
import * as workflow from '../shared/handlers/workflow.js';
import type { Clock, DeploymentEvents, Orchestrator, SyntheticInvoker } from '../shared/ports/index.js';
import { withDeploymentEvents } from '../shared/usecases/deployment-events.js';
import type { NotifyDeps } from '../shared/usecases/notify.js';
import { DEFAULT_CONTROL_SECONDS } from '../shared/usecases/workflow/shift-traffic.js';
import { HISTORY_EVENT_BUDGET } from '../shared/usecases/workflow/wait-budget.js';
import { DEFAULT_PROVISIONED_DEADLINE_SECONDS, DEFAULT_PROVISIONED_POLL_SECONDS } from '../shared/usecases/workflow/provisioned-concurrency.js';
import type { RollbackDeps } from '../shared/usecases/workflow/rollback.js';

/** The serverless.yml function keys; the Task states of the definition name the workflow ones. */
export type FunctionKey =
  | 'api'
  | 'intake'
  | 'notify'
  | 'reconcile'
  | 'prepare'
  | 'acquireLock'
  | 'stage'
  | 'stageSiteChunk'
  | 'finishSiteStaging'
  | 'runHook'
  | 'shiftTraffic'
  | 'checkHealth'
  | 'invalidateCdn'
  | 'finalize'
  | 'rollback'
  | 'promoteDownstream';

/** What every SDK client of a function is built with; `{}` in Lambda (the standard configuration chain). */
export interface AwsClientConfig {
  region?: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export interface AwsRootConfig {
  /** The function's environment: `process.env` in Lambda, an explicit object elsewhere. */
  env: Readonly<Record<string, string | undefined>>;
  clientConfig?: (fn: FunctionKey) => AwsClientConfig;
  logger?: Logger;
  clock?: Clock;
  /** Where the API and intake start executions; Step Functions unless given (dev: the local orchestrator). */
  orchestrator?: Orchestrator;
  /** Told of every event published on the bus (dev mode plays the EventBridge rules' part with it). */
  onEventPublished?: (detailType: string, detail: Record<string, unknown>) => void;
  /** notify's webhook retry policy and sleep (dev mode and tests shorten the waits). */
  notifyTuning?: Pick<NotifyDeps, 'retry' | 'sleep'>;
  /** What CheckHealth invokes canary versions with for health.synthetic; Lambda unless given (dev: the versions' code run locally). */
  syntheticInvoker?: SyntheticInvoker;
}

/** The entry points' root: Lambda's own environment and the SDK's standard chain. */
export const lambdaRoot = (): AwsRootConfig => ({ env: process.env });

/** The one clock every use case reads the time from: the system's unless the root config brings its own. */
const clock = (root: AwsRootConfig): Clock => root.clock ?? systemClock;

function required(root: AwsRootConfig, name: string): string {
  const value = root.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set (serverless.yml sets it for every function)`);
  return value;
}

/** History events one execution plans its waits for; AcquireLock and ShiftTraffic must agree on it. */
const historyEventBudget = (root: AwsRootConfig) => numberSetting(root, 'SLIPWAY_HISTORY_EVENT_BUDGET', HISTORY_EVENT_BUDGET);

/**
 * An on/off setting. SLIPWAY_DURATION_P99=off is for an emulator's CloudWatch that cannot compute
 * percentiles (moto answers a p99 query with a 500): evidence then has no p99 and latency is not judged.
 */
function switchSetting(root: AwsRootConfig, name: string, fallback: boolean): boolean {
  const raw = root.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'on' || raw === 'off') return raw === 'on';
  throw new Error(`environment variable ${name} must be "on" or "off", got "${raw}"`);
}

function numberSetting(root: AwsRootConfig, name: string, fallback: number): number {
  const raw = root.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`environment variable ${name} must be a non-negative number, got "${raw}"`);
  return value;
}

/**
 * One builder per SDK client, each called only by the factories whose function uses that
 * service: a bundle then holds only its own clients (esbuild drops the others).
 */
const dynamoClient = (config: AwsClientConfig) => DynamoDBDocumentClient.from(new DynamoDBClient(config), { marshallOptions: { removeUndefinedValues: true } });
// Path-style addressing reaches emulators on an IP endpoint, and dotted bucket names over TLS on AWS.
const s3Client = (config: AwsClientConfig) => new S3Client({ ...config, forcePathStyle: true });
const lambdaClient = (config: AwsClientConfig) => new LambdaClient(config);
const cloudFrontClient = (config: AwsClientConfig) => new CloudFrontClient(config);
const cloudWatchClient = (config: AwsClientConfig) => new CloudWatchClient(config);

interface Built {
  config: AwsClientConfig;
  logger: Logger;
}

function built(root: AwsRootConfig, fn: FunctionKey): Built {
  return { config: root.clientConfig?.(fn) ?? {}, logger: root.logger ?? new Logger({ serviceName: 'slipway' }) };
}

const table = (root: AwsRootConfig, client: DynamoDBDocumentClient) => ({ client, tableName: required(root, 'SLIPWAY_TABLE') });

/**
 * The store of every function that writes a status or a traffic share: each such write is
 * published on the bus. A publish that still fails after the retries is logged and does not fail
 * the function.
 */
function publishingDeploymentStore(root: AwsRootConfig, b: Built, dynamo: DynamoDBDocumentClient): DynamoDeploymentStore {
  return withDeploymentEvents(new DynamoDeploymentStore(table(root, dynamo)), eventBus(root, b), (message, details) => b.logger.warn(message, details));
}

/** The service's bus, and dev mode's listener told of every event published on it. */
function eventBus(root: AwsRootConfig, b: Built): DeploymentEvents {
  const bus = new EventBridgeDeploymentEvents({ client: new EventBridgeClient(b.config), busName: required(root, 'SLIPWAY_EVENT_BUS') });
  const listener = root.onEventPublished;
  return listener
    ? {
        async publish(events) {
          await bus.publish(events);
          for (const event of events) listener(event.detailType, event.detail);
        },
      }
    : bus;
}

function orchestrator(root: AwsRootConfig, b: Built): Orchestrator {
  return root.orchestrator ?? new StepFunctionsOrchestrator({ client: new SFNClient(b.config), stateMachineArn: required(root, 'SLIPWAY_STATE_MACHINE_ARN') });
}

function trafficMetrics(b: Built) {
  // CloudFront publishes its metrics in us-east-1 only.
  return new CloudWatchTrafficMetrics({ client: cloudWatchClient(b.config), cloudFrontClient: cloudWatchClient({ ...b.config, region: 'us-east-1' }) });
}

/** What undoing a deployment takes; the Rollback Task and the reconcile function both use it. */
function rollbackDeps(root: AwsRootConfig, b: Built): RollbackDeps {
  const dynamo = dynamoClient(b.config);
  const cloudFront = cloudFrontClient(b.config);
  const lambda = lambdaClient(b.config);
  return {
    deployments: publishingDeploymentStore(root, b, dynamo),
    targets: new DynamoTargetStore(table(root, dynamo)),
    locks: new DynamoLockStore(table(root, dynamo)),
    aliases: new LambdaAliasRouter({ client: lambda }),
    concurrency: new LambdaConcurrencyReleaser({ client: lambda }),
    cdn: new CloudFrontCdn({ client: cloudFront }),
    origins: new CloudFrontOriginSwitch({ client: cloudFront }),
    canary: new CloudFrontCanaryDetach({ client: cloudFront }),
    sites: new S3SiteStore({ client: s3Client(b.config) }),
    clock: clock(root),
  };
}

export function apiHandler(root: AwsRootConfig) {
  const b = built(root, 'api');
  const dynamo = dynamoClient(b.config);
  const s3 = s3Client(b.config);
  const lambda = lambdaClient(b.config);
  const cloudFront = cloudFrontClient(b.config);
  const control = new DynamoDeploymentControl(table(root, dynamo));
  return createApiHandler({
    logger: b.logger,
    targets: new DynamoTargetStore(table(root, dynamo)),
    deployments: publishingDeploymentStore(root, b, dynamo),
    artifacts: new S3ArtifactStore({ client: s3 }),
    aliases: new LambdaAliasReader({ client: lambda }),
    versions: new LambdaVersionCatalog({ client: lambda }),
    origins: new CloudFrontOriginReader({ client: cloudFront }),
    sites: new S3SiteReader({ client: s3 }),
    artifactBucket: required(root, 'SLIPWAY_ARTIFACT_BUCKET'),
    uploads: new S3ReleaseUploads({ client: s3 }),
    releaseHistory: new DynamoReleaseHistory(table(root, dynamo)),
    deployHooks: new DynamoDeployHookStore(table(root, dynamo)),
    hookRate: hookRateFromEnv(root.env),
    clock: clock(root),
    orchestrator: orchestrator(root, b),
    control,
    history: control,
    outcomes: new DynamoDeploymentOutcomes(table(root, dynamo)),
    remover: new DynamoTargetRemover(table(root, dynamo)),
    metrics: trafficMetrics(b),
  });
}

export function intakeHandler(root: AwsRootConfig) {
  const b = built(root, 'intake');
  const dynamo = dynamoClient(b.config);
  const s3 = s3Client(b.config);
  return createIntakeHandler({
    logger: b.logger,
    targets: new DynamoTargetStore(table(root, dynamo)),
    artifacts: new S3ArtifactStore({ client: s3 }),
    deployments: publishingDeploymentStore(root, b, dynamo),
    orchestrator: orchestrator(root, b),
    artifactBucket: required(root, 'SLIPWAY_ARTIFACT_BUCKET'),
    clock: clock(root),
  });
}

export function notifyHandler(root: AwsRootConfig) {
  const b = built(root, 'notify');
  const dynamo = dynamoClient(b.config);
  return createNotifyHandler({
    logger: b.logger,
    targets: new DynamoTargetStore(table(root, dynamo)),
    webhook: new FetchWebhookSender(),
    deadLetters: new DynamoDeadLetterStore(table(root, dynamo)),
    clock: clock(root),
    ...root.notifyTuning,
  });
}

export function reconcileHandler(root: AwsRootConfig) {
  const b = built(root, 'reconcile');
  return createReconcileHandler({ logger: b.logger, ...rollbackDeps(root, b) });
}

export function prepareHandler(root: AwsRootConfig) {
  const b = built(root, 'prepare');
  const dynamo = dynamoClient(b.config);
  const s3 = s3Client(b.config);
  const cloudFront = cloudFrontClient(b.config);
  return workflow.createPrepareHandler({
    logger: b.logger,
    targets: new DynamoTargetStore(table(root, dynamo)),
    deployments: new DynamoDeploymentStore(table(root, dynamo)),
    artifacts: new S3ArtifactStore({ client: s3 }),
    appArtifacts: new S3AppInspector({ client: s3 }),
    stager: new S3SiteInspector({ client: s3 }),
    origins: new CloudFrontOriginReader({ client: cloudFront }),
    plans: new S3StagingPlanWriter({ client: s3, bucket: required(root, 'SLIPWAY_ARTIFACT_BUCKET') }),
    clock: clock(root),
  });
}

export function acquireLockHandler(root: AwsRootConfig) {
  const b = built(root, 'acquireLock');
  const dynamo = dynamoClient(b.config);
  return workflow.createAcquireLockHandler({
    logger: b.logger,
    deployments: publishingDeploymentStore(root, b, dynamo),
    locks: new DynamoLockStore(table(root, dynamo)),
    targets: new DynamoTargetStore(table(root, dynamo)),
    metrics: trafficMetrics(b),
    lockPollSeconds: numberSetting(root, 'SLIPWAY_LOCK_POLL_SECONDS', 10),
    windowCheckSeconds: numberSetting(root, 'SLIPWAY_WINDOW_CHECK_SECONDS', 60),
    historyEventBudget: historyEventBudget(root),
    clock: clock(root),
  });
}

export function stageHandler(root: AwsRootConfig) {
  const b = built(root, 'stage');
  const dynamo = dynamoClient(b.config);
  const lambda = lambdaClient(b.config);
  return workflow.createStageHandler({
    logger: b.logger,
    deployments: new DynamoDeploymentStore(table(root, dynamo)),
    // An app's function components are repacked from their folders (S3 only for them).
    appArtifacts: new S3ComponentPackager({ client: s3Client(b.config) }),
    aliases: new LambdaAliasReader({ client: lambda }),
    versions: new LambdaVersionPublisher({ client: lambda }),
    parameters: new SsmParameters({ client: new SSMClient(b.config) }),
    secrets: new SecretsManagerSecrets({ client: new SecretsManagerClient(b.config) }),
    // Alarms already firing as a function's deployment starts block it (or are let through).
    health: new CloudWatchHealthSignals({ client: cloudWatchClient(b.config) }),
    // The live version's provisioned concurrency, allocated on the new one; CheckProvisionedConcurrency runs here too.
    provisioned: {
      concurrency: new LambdaConcurrencyAllocator({ client: lambda }),
      clock: clock(root),
      pollSeconds: numberSetting(root, 'SLIPWAY_PROVISIONED_POLL_SECONDS', DEFAULT_PROVISIONED_POLL_SECONDS),
      deadlineSeconds: numberSetting(root, 'SLIPWAY_PROVISIONED_DEADLINE_SECONDS', DEFAULT_PROVISIONED_DEADLINE_SECONDS),
      historyEventBudget: historyEventBudget(root),
    },
  });
}

export function stageSiteChunkHandler(root: AwsRootConfig) {
  const b = built(root, 'stageSiteChunk');
  const dynamo = dynamoClient(b.config);
  const s3 = s3Client(b.config);
  return workflow.createStageSiteChunkHandler({
    logger: b.logger,
    deployments: new DynamoDeploymentStore(table(root, dynamo)),
    artifacts: new S3ArtifactStore({ client: s3 }),
    stager: new S3SiteStager({ client: s3 }),
    sites: new S3SiteStore({ client: s3 }),
  });
}

export function finishSiteStagingHandler(root: AwsRootConfig) {
  const b = built(root, 'finishSiteStaging');
  const dynamo = dynamoClient(b.config);
  const s3 = s3Client(b.config);
  return workflow.createFinishSiteStagingHandler({
    logger: b.logger,
    deployments: new DynamoDeploymentStore(table(root, dynamo)),
    sites: new S3SiteStore({ client: s3 }),
    clock: clock(root),
  });
}

export function runHookHandler(root: AwsRootConfig) {
  const b = built(root, 'runHook');
  const dynamo = dynamoClient(b.config);
  const lambda = lambdaClient(b.config);
  return workflow.createRunHookHandler({
    logger: b.logger,
    deployments: new DynamoDeploymentStore(table(root, dynamo)),
    hooks: new LambdaHookInvoker({ client: lambda }),
  });
}

export function shiftTrafficHandler(root: AwsRootConfig) {
  const b = built(root, 'shiftTraffic');
  const dynamo = dynamoClient(b.config);
  const s3 = s3Client(b.config);
  const lambda = lambdaClient(b.config);
  const cloudFront = cloudFrontClient(b.config);
  return workflow.createShiftTrafficHandler({
    logger: b.logger,
    deployments: publishingDeploymentStore(root, b, dynamo),
    aliases: new LambdaAliasRouter({ client: lambda }),
    origins: new CloudFrontOriginSwitch({ client: cloudFront }),
    canary: new CloudFrontContinuousDeployment({ client: cloudFront }),
    cdn: new CloudFrontCdn({ client: cloudFront }),
    sites: new S3SiteReader({ client: s3 }),
    controlSeconds: numberSetting(root, 'SLIPWAY_CONTROL_SECONDS', DEFAULT_CONTROL_SECONDS),
    historyEventBudget: historyEventBudget(root),
    clock: clock(root),
  });
}

export function checkHealthHandler(root: AwsRootConfig) {
  const b = built(root, 'checkHealth');
  const dynamo = dynamoClient(b.config);
  const s3 = s3Client(b.config);
  const cloudFront = cloudFrontClient(b.config);
  const cloudWatch = cloudWatchClient(b.config);
  return workflow.createCheckHealthHandler({
    logger: b.logger,
    deployments: new DynamoDeploymentStore(table(root, dynamo)),
    health: new CloudWatchHealthSignals({ client: cloudWatch }),
    cdn: new CloudFrontInvalidationStatus({ client: cloudFront }),
    sites: new S3SiteReader({ client: s3 }),
    targets: new DynamoTargetStore(table(root, dynamo)),
    pauseCheckSeconds: numberSetting(root, 'SLIPWAY_WINDOW_CHECK_SECONDS', 60),
    versionMetrics: new CloudWatchVersionMetrics({ client: cloudWatch, durationPercentile: switchSetting(root, 'SLIPWAY_DURATION_P99', true) }),
    synthetic: root.syntheticInvoker ?? new LambdaSyntheticInvoker({ client: lambdaClient(b.config) }),
    clock: clock(root),
  });
}

export function invalidateCdnHandler(root: AwsRootConfig) {
  const b = built(root, 'invalidateCdn');
  const dynamo = dynamoClient(b.config);
  const cloudFront = cloudFrontClient(b.config);
  return workflow.createInvalidateCdnHandler({
    logger: b.logger,
    cdn: new CloudFrontCdn({ client: cloudFront }),
    deployments: new DynamoDeploymentStore(table(root, dynamo)),
    pollSeconds: numberSetting(root, 'SLIPWAY_INVALIDATION_POLL_SECONDS', 15),
    maxChecks: 60,
  });
}

export function finalizeHandler(root: AwsRootConfig) {
  const b = built(root, 'finalize');
  const dynamo = dynamoClient(b.config);
  const s3 = s3Client(b.config);
  const lambda = lambdaClient(b.config);
  return workflow.createFinalizeHandler({
    logger: b.logger,
    deployments: publishingDeploymentStore(root, b, dynamo),
    locks: new DynamoLockStore(table(root, dynamo)),
    versions: new LambdaVersionPruner({ client: lambda }),
    sites: new S3SiteStore({ client: s3 }),
    concurrency: new LambdaConcurrencyReleaser({ client: lambda }),
    clock: clock(root),
  });
}

export function rollbackHandler(root: AwsRootConfig) {
  const b = built(root, 'rollback');
  return workflow.createRollbackHandler({ logger: b.logger, ...rollbackDeps(root, b) });
}

/**
 * PromoteDownstream: after the soak, promotes the release into the targets taking from this one.
 * It starts executions, so it is built with the orchestrator (in AWS, the state machine's ARN by
 * name: a reference would be a cycle, since the definition names this function).
 */
export function promoteDownstreamHandler(root: AwsRootConfig) {
  const b = built(root, 'promoteDownstream');
  const dynamo = dynamoClient(b.config);
  return createPromoteDownstreamHandler({
    logger: b.logger,
    targets: new DynamoTargetStore(table(root, dynamo)),
    deployments: publishingDeploymentStore(root, b, dynamo),
    orchestrator: orchestrator(root, b),
    events: eventBus(root, b),
    clock: clock(root),
  });
}

/**
 * The Task handlers by serverless.yml function key: what the definition's Task states invoke.
 * promoteDownstream is not among them: it needs the orchestrator (promoteDownstreamHandler).
 */
export function workflowHandlers(root: AwsRootConfig) {
  return {
    prepare: prepareHandler(root),
    acquireLock: acquireLockHandler(root),
    stage: stageHandler(root),
    stageSiteChunk: stageSiteChunkHandler(root),
    finishSiteStaging: finishSiteStagingHandler(root),
    runHook: runHookHandler(root),
    shiftTraffic: shiftTrafficHandler(root),
    checkHealth: checkHealthHandler(root),
    invalidateCdn: invalidateCdnHandler(root),
    finalize: finalizeHandler(root),
    rollback: rollbackHandler(root),
  };
}
