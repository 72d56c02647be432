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
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CloudFrontCdn } from '../shared/adapters/aws/cloudfront-cdn.js';
import { CloudFrontInvalidationStatus } from '../shared/adapters/aws/cloudfront-invalidation-status.js';
import { CloudFrontOriginSwitch } from '../shared/adapters/aws/cloudfront-origin.js';
import { CloudFrontOriginReader } from '../shared/adapters/aws/cloudfront-origin-reader.js';
import { CloudWatchHealthSignals } from '../shared/adapters/aws/cloudwatch-health.js';
import { CloudWatchTrafficMetrics } from '../shared/adapters/aws/cloudwatch-traffic.js';
import { DynamoDeadLetterStore } from '../shared/adapters/aws/dynamo-dead-letters.js';
import { DynamoDeployHookStore } from '../shared/adapters/aws/dynamo-deploy-hooks.js';
import { DynamoDeploymentControl } from '../shared/adapters/aws/dynamo-deployment-control.js';
import { DynamoDeploymentStore } from '../shared/adapters/aws/dynamo-deployments.js';
import { DynamoLockStore } from '../shared/adapters/aws/dynamo-locks.js';
import { DynamoReleaseHistory } from '../shared/adapters/aws/dynamo-release-history.js';
import { DynamoTargetRemover } from '../shared/adapters/aws/dynamo-target-remover.js';
import { DynamoTargetStore } from '../shared/adapters/aws/dynamo-targets.js';
import { EventBridgeDeploymentEvents } from '../shared/adapters/aws/eventbridge-events.js';
import { LambdaAliasReader } from '../shared/adapters/aws/lambda-alias-reader.js';
import { LambdaAliasRouter } from '../shared/adapters/aws/lambda-alias-router.js';
import { LambdaHookInvoker } from '../shared/adapters/aws/lambda-hook-invoker.js';
import { LambdaVersionCatalog } from '../shared/adapters/aws/lambda-version-catalog.js';
import { LambdaVersionPruner } from '../shared/adapters/aws/lambda-version-pruner.js';
import { LambdaVersionPublisher } from '../shared/adapters/aws/lambda-version-publisher.js';
import { S3ArtifactStore } from '../shared/adapters/aws/s3-artifacts.js';
import { S3ReleaseUploads } from '../shared/adapters/aws/s3-release-uploads.js';
import { S3SiteInspector } from '../shared/adapters/aws/s3-site-inspector.js';
import { S3SiteReader } from '../shared/adapters/aws/s3-site-reader.js';
import { S3SiteStager } from '../shared/adapters/aws/s3-site-stager.js';
import { S3SiteStore } from '../shared/adapters/aws/s3-site-store.js';
import { StepFunctionsOrchestrator } from '../shared/adapters/aws/sfn-orchestrator.js';
import { FetchWebhookSender } from '../shared/adapters/http/fetch-webhook.js';
import { hookRateFromEnv } from '../shared/domain/deploy-hook.js';
import { createApiHandler } from '../shared/handlers/api.js';
import { createIntakeHandler } from '../shared/handlers/intake.js';
import { createNotifyHandler } from '../shared/handlers/notify.js';
import { createReconcileHandler } from '../shared/handlers/reconcile.js';
import * as workflow from '../shared/handlers/workflow.js';
import type { Clock, DeploymentEvents, Orchestrator } from '../shared/ports/index.js';
import { withDeploymentEvents } from '../shared/usecases/deployment-events.js';
import type { NotifyDeps } from '../shared/usecases/notify.js';
import { DEFAULT_CONTROL_SECONDS } from '../shared/usecases/workflow/shift-traffic.js';
import { WAIT_TICK_BUDGET } from '../shared/usecases/workflow/acquire-lock.js';
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
  | 'rollback';

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
}

/** The entry points' root: Lambda's own environment and the SDK's standard chain. */
export const lambdaRoot = (): AwsRootConfig => ({ env: process.env });

const systemClock: Clock = { now: () => new Date() };

function required(root: AwsRootConfig, name: string): string {
  const value = root.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set (serverless.yml sets it for every function)`);
  return value;
}

function seconds(root: AwsRootConfig, name: string, fallback: number): number {
  const raw = root.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`environment variable ${name} must be a number of seconds, got "${raw}"`);
  return value;
}

/** The clients of one function, each built on first use. */
function clientsOf(root: AwsRootConfig, fn: FunctionKey) {
  const config = root.clientConfig?.(fn) ?? {};
  const once = <T>(build: () => T) => {
    let value: T | undefined;
    return () => (value ??= build());
  };
  return {
    logger: root.logger ?? new Logger({ serviceName: 'slipway' }),
    dynamo: once(() => DynamoDBDocumentClient.from(new DynamoDBClient(config), { marshallOptions: { removeUndefinedValues: true } })),
    // Path-style addressing reaches emulators on an IP endpoint, and dotted bucket names over TLS on AWS.
    s3: once(() => new S3Client({ ...config, forcePathStyle: true })),
    lambda: once(() => new LambdaClient(config)),
    cloudFront: once(() => new CloudFrontClient(config)),
    cloudWatch: once(() => new CloudWatchClient(config)),
    // CloudFront publishes its metrics in us-east-1 only.
    cloudWatchUsEast1: once(() => new CloudWatchClient({ ...config, region: 'us-east-1' })),
    eventBridge: once(() => new EventBridgeClient(config)),
    sfn: once(() => new SFNClient(config)),
  };
}
type Clients = ReturnType<typeof clientsOf>;

const table = (root: AwsRootConfig, c: Clients) => ({ client: c.dynamo(), tableName: required(root, 'SLIPWAY_TABLE') });

/** The plain store, for steps that write no status or traffic share. */
const deploymentStore = (root: AwsRootConfig, c: Clients) => new DynamoDeploymentStore(table(root, c));

/**
 * The store of every function that writes a status or a traffic share: each such write is
 * published on the bus. A publish that still fails after the retries is logged and does not fail
 * the function.
 */
function publishingDeploymentStore(root: AwsRootConfig, c: Clients): DynamoDeploymentStore {
  const bus = new EventBridgeDeploymentEvents({ client: c.eventBridge(), busName: required(root, 'SLIPWAY_EVENT_BUS') });
  const listener = root.onEventPublished;
  const events: DeploymentEvents = listener
    ? {
        async publish(detailType, detail) {
          await bus.publish(detailType, detail);
          listener(detailType, detail);
        },
      }
    : bus;
  return withDeploymentEvents(deploymentStore(root, c), events, (message, details) => c.logger.warn(message, details));
}

function orchestrator(root: AwsRootConfig, c: Clients): Orchestrator {
  return root.orchestrator ?? new StepFunctionsOrchestrator({ client: c.sfn(), stateMachineArn: required(root, 'SLIPWAY_STATE_MACHINE_ARN') });
}

function trafficMetrics(c: Clients) {
  return new CloudWatchTrafficMetrics({ client: c.cloudWatch(), cloudFrontClient: c.cloudWatchUsEast1() });
}

/** What undoing a deployment takes; the Rollback Task and the reconcile function both use it. */
function rollbackDeps(root: AwsRootConfig, c: Clients): RollbackDeps {
  return {
    deployments: publishingDeploymentStore(root, c),
    targets: new DynamoTargetStore(table(root, c)),
    locks: new DynamoLockStore(table(root, c)),
    aliases: new LambdaAliasRouter({ client: c.lambda() }),
    cdn: new CloudFrontCdn({ client: c.cloudFront() }),
    origins: new CloudFrontOriginSwitch({ client: c.cloudFront() }),
    sites: new S3SiteStore({ client: c.s3() }),
  };
}

export function apiHandler(root: AwsRootConfig) {
  const c = clientsOf(root, 'api');
  const control = new DynamoDeploymentControl(table(root, c));
  return createApiHandler({
    logger: c.logger,
    targets: new DynamoTargetStore(table(root, c)),
    deployments: publishingDeploymentStore(root, c),
    artifacts: new S3ArtifactStore({ client: c.s3() }),
    aliases: new LambdaAliasReader({ client: c.lambda() }),
    versions: new LambdaVersionCatalog({ client: c.lambda() }),
    origins: new CloudFrontOriginReader({ client: c.cloudFront() }),
    sites: new S3SiteReader({ client: c.s3() }),
    artifactBucket: required(root, 'SLIPWAY_ARTIFACT_BUCKET'),
    uploads: new S3ReleaseUploads({ client: c.s3() }),
    releaseHistory: new DynamoReleaseHistory(table(root, c)),
    deployHooks: new DynamoDeployHookStore(table(root, c)),
    hookRate: hookRateFromEnv(root.env),
    clock: root.clock ?? systemClock,
    orchestrator: orchestrator(root, c),
    control,
    history: control,
    remover: new DynamoTargetRemover(table(root, c)),
    metrics: trafficMetrics(c),
  });
}

export function intakeHandler(root: AwsRootConfig) {
  const c = clientsOf(root, 'intake');
  return createIntakeHandler({
    logger: c.logger,
    targets: new DynamoTargetStore(table(root, c)),
    artifacts: new S3ArtifactStore({ client: c.s3() }),
    deployments: publishingDeploymentStore(root, c),
    orchestrator: orchestrator(root, c),
  });
}

export function notifyHandler(root: AwsRootConfig) {
  const c = clientsOf(root, 'notify');
  return createNotifyHandler({
    logger: c.logger,
    targets: new DynamoTargetStore(table(root, c)),
    webhook: new FetchWebhookSender(),
    deadLetters: new DynamoDeadLetterStore(table(root, c)),
    ...root.notifyTuning,
  });
}

export function reconcileHandler(root: AwsRootConfig) {
  const c = clientsOf(root, 'reconcile');
  return createReconcileHandler({ logger: c.logger, ...rollbackDeps(root, c) });
}

export function prepareHandler(root: AwsRootConfig) {
  const c = clientsOf(root, 'prepare');
  return workflow.createPrepareHandler({
    logger: c.logger,
    targets: new DynamoTargetStore(table(root, c)),
    deployments: deploymentStore(root, c),
    artifacts: new S3ArtifactStore({ client: c.s3() }),
    stager: new S3SiteInspector({ client: c.s3() }),
    origins: new CloudFrontOriginReader({ client: c.cloudFront() }),
  });
}

export function acquireLockHandler(root: AwsRootConfig) {
  const c = clientsOf(root, 'acquireLock');
  return workflow.createAcquireLockHandler({
    logger: c.logger,
    deployments: publishingDeploymentStore(root, c),
    locks: new DynamoLockStore(table(root, c)),
    targets: new DynamoTargetStore(table(root, c)),
    metrics: trafficMetrics(c),
    lockPollSeconds: seconds(root, 'SLIPWAY_LOCK_POLL_SECONDS', 10),
    windowCheckSeconds: seconds(root, 'SLIPWAY_WINDOW_CHECK_SECONDS', 60),
    waitTickBudget: seconds(root, 'SLIPWAY_WAIT_TICK_BUDGET', WAIT_TICK_BUDGET),
  });
}

export function stageHandler(root: AwsRootConfig) {
  const c = clientsOf(root, 'stage');
  return workflow.createStageHandler({
    logger: c.logger,
    deployments: deploymentStore(root, c),
    aliases: new LambdaAliasReader({ client: c.lambda() }),
    versions: new LambdaVersionPublisher({ client: c.lambda() }),
  });
}

export function stageSiteChunkHandler(root: AwsRootConfig) {
  const c = clientsOf(root, 'stageSiteChunk');
  return workflow.createStageSiteChunkHandler({
    logger: c.logger,
    deployments: deploymentStore(root, c),
    artifacts: new S3ArtifactStore({ client: c.s3() }),
    stager: new S3SiteStager({ client: c.s3() }),
    sites: new S3SiteStore({ client: c.s3() }),
  });
}

export function finishSiteStagingHandler(root: AwsRootConfig) {
  const c = clientsOf(root, 'finishSiteStaging');
  return workflow.createFinishSiteStagingHandler({
    logger: c.logger,
    deployments: deploymentStore(root, c),
    sites: new S3SiteStore({ client: c.s3() }),
  });
}

export function runHookHandler(root: AwsRootConfig) {
  const c = clientsOf(root, 'runHook');
  return workflow.createRunHookHandler({
    logger: c.logger,
    deployments: deploymentStore(root, c),
    hooks: new LambdaHookInvoker({ client: c.lambda() }),
  });
}

export function shiftTrafficHandler(root: AwsRootConfig) {
  const c = clientsOf(root, 'shiftTraffic');
  return workflow.createShiftTrafficHandler({
    logger: c.logger,
    deployments: publishingDeploymentStore(root, c),
    aliases: new LambdaAliasRouter({ client: c.lambda() }),
    origins: new CloudFrontOriginSwitch({ client: c.cloudFront() }),
    cdn: new CloudFrontCdn({ client: c.cloudFront() }),
    sites: new S3SiteReader({ client: c.s3() }),
    controlSeconds: seconds(root, 'SLIPWAY_CONTROL_SECONDS', DEFAULT_CONTROL_SECONDS),
  });
}

export function checkHealthHandler(root: AwsRootConfig) {
  const c = clientsOf(root, 'checkHealth');
  return workflow.createCheckHealthHandler({
    logger: c.logger,
    deployments: deploymentStore(root, c),
    health: new CloudWatchHealthSignals({ client: c.cloudWatch() }),
    cdn: new CloudFrontInvalidationStatus({ client: c.cloudFront() }),
    sites: new S3SiteReader({ client: c.s3() }),
    targets: new DynamoTargetStore(table(root, c)),
    pauseCheckSeconds: seconds(root, 'SLIPWAY_WINDOW_CHECK_SECONDS', 60),
  });
}

export function invalidateCdnHandler(root: AwsRootConfig) {
  const c = clientsOf(root, 'invalidateCdn');
  return workflow.createInvalidateCdnHandler({
    logger: c.logger,
    cdn: new CloudFrontCdn({ client: c.cloudFront() }),
    deployments: deploymentStore(root, c),
    pollSeconds: seconds(root, 'SLIPWAY_INVALIDATION_POLL_SECONDS', 15),
    maxChecks: 60,
  });
}

export function finalizeHandler(root: AwsRootConfig) {
  const c = clientsOf(root, 'finalize');
  return workflow.createFinalizeHandler({
    logger: c.logger,
    deployments: publishingDeploymentStore(root, c),
    locks: new DynamoLockStore(table(root, c)),
    versions: new LambdaVersionPruner({ client: c.lambda() }),
    sites: new S3SiteStore({ client: c.s3() }),
  });
}

export function rollbackHandler(root: AwsRootConfig) {
  const c = clientsOf(root, 'rollback');
  return workflow.createRollbackHandler({ logger: c.logger, ...rollbackDeps(root, c) });
}

/** The Task handlers by serverless.yml function key: what the definition's Task states invoke. */
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
