/**
 * Deployment latency and cost in dev mode, against the bare SDK sequence in the same run.
 *   npm run bench
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SetAlarmStateCommand, CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDeploymentStore } from '../shared/adapters/aws/dynamo-deployments.js';
import { taskFunctions } from '../dev/definition.js';
import { DEV_NAMES, startDevService } from '../dev/dev-service.js';
import { startMotoServer } from '../dev/moto-server.js';
import { createAliasedFunction } from '../dev/provision.js';
import { functionPackage } from '../dev/zip.js';
import { releaseKey } from '../shared/domain/artifact-key.js';
import { deploymentIdForObject, isTerminal } from '../shared/domain/deployment.js';
import { startRequestCounter } from './request-counter.js';

/** The Task states of the definition (each one a Lambda invocation in AWS). */
const TASK_STATES = taskFunctions();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 60_000, everyMs = 10): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

export interface DeployLatencyResult {
  runs: number;
  slipwayMedianMs: number;
  bareMedianMs: number;
  ratio: number;
  apiCallsPerDeployment: number;
  apiCallsByOperation: Record<string, number>;
  /** By the function that made them (intake, each Task, notify), then operation. */
  apiCallsByFunction: Record<string, Record<string, number>>;
  bareApiCalls: number;
  stateTransitions: number;
  lambdaInvocations: number;
  rollbackMedianMs: number;
  rollbackRuns: number;
}

export async function benchDeployLatency(runs = 5): Promise<DeployLatencyResult> {
  const root = process.cwd();
  const moto = await startMotoServer({ projectRoot: root });
  const counter = await startRequestCounter(moto.endpoint);
  process.env.AWS_ENDPOINT_URL = counter.url;
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'bench';
  process.env.AWS_SECRET_ACCESS_KEY = 'bench';
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  const dev = await startDevService({ projectRoot: root, stateDir: mkdtempSync(join(tmpdir(), 'slipway-bench-')), log: () => undefined, progress: false });
  const s3 = new S3Client({ forcePathStyle: true });
  const lambda = new LambdaClient({});
  // The benchmark watches the record through moto directly, so its polling is not counted.
  const deployments = new DynamoDeploymentStore({
    client: DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: moto.endpoint })),
    tableName: DEV_NAMES.tableName,
  });
  try {
    // slipway: S3 upload returning → record `succeeded`
    const slipwayMs: number[] = [];
    let perDeployment: Map<string, number> = new Map();
    let perFunction: Record<string, Record<string, number>> = {};
    let transitions = 0;
    let invocations = 0;
    for (let i = 0; i < runs; i++) {
      const body = await functionPackage(`bench ${i} ${Date.now()}`);
      const key = releaseKey('hello', `bench-${i}`);
      const put = await s3.send(new PutObjectCommand({ Bucket: dev.info.artifactBucket, Key: key, Body: body }));
      const started = performance.now();
      counter.reset();
      const id = deploymentIdForObject({ bucket: dev.info.artifactBucket, key, versionId: put.VersionId! });
      const record = await until(async () => {
        const d = await deployments.get(id);
        return d && isTerminal(d.status) ? d : undefined;
      }, `deployment ${id} to end`);
      slipwayMs.push(performance.now() - started);
      if (record.status !== 'succeeded') throw new Error(`bench deployment ${id} ended ${record.status}: ${record.reason}`);
      await dev.orchestrator.settled(id);
      // the last run's counts
      perDeployment = new Map(counter.counts);
      perFunction = Object.fromEntries([...counter.byFunction].sort().map(([fn, ops]) => [fn, Object.fromEntries([...ops].sort())]));
      const states = dev.orchestrator.executions.get(id)?.states ?? [];
      transitions = states.length;
      invocations = states.filter((s) => s in TASK_STATES).length;
    }

    // the bare sequence: UpdateFunctionCode → wait → PublishVersion → UpdateAlias
    const bareMs: number[] = [];
    await createAliasedFunction('bench-bare', await functionPackage('bare v1'));
    counter.reset();
    for (let i = 0; i < runs; i++) {
      const body = await functionPackage(`bare ${i} ${Date.now()}`);
      const key = `bare/${i}.zip`;
      const put = await s3.send(new PutObjectCommand({ Bucket: dev.info.artifactBucket, Key: key, Body: body }));
      if (i === runs - 1) counter.reset();
      const started = performance.now();
      await lambda.send(
        new UpdateFunctionCodeCommand({ FunctionName: 'bench-bare', S3Bucket: dev.info.artifactBucket, S3Key: key, S3ObjectVersion: put.VersionId }),
      );
      await until(async () => {
        const c = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'bench-bare' }));
        return c.LastUpdateStatus === 'InProgress' ? undefined : c;
      }, 'the bare code update');
      const v = await lambda.send(new PublishVersionCommand({ FunctionName: 'bench-bare' }));
      await lambda.send(new UpdateAliasCommand({ FunctionName: 'bench-bare', Name: 'live', FunctionVersion: v.Version }));
      bareMs.push(performance.now() - started);
    }
    const bareCalls = counter.total();

    // rollback: alarm enters ALARM during the canary bake → alias restored
    const rollbackMs: number[] = [];
    const rollbackRuns = Math.max(2, Math.ceil(runs / 2));
    const cloudwatch = new CloudWatchClient({});
    for (let i = 0; i < rollbackRuns; i++) {
      await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: 'hello-canary-errors', StateValue: 'OK', StateReason: 'bench reset' }));
      const before = (await lambda.send(new GetAliasCommand({ FunctionName: 'hello-canary', Name: 'live' }))).FunctionVersion;
      const key = releaseKey('hello-canary', `bench-bad-${i}`);
      const put = await s3.send(new PutObjectCommand({ Bucket: dev.info.artifactBucket, Key: key, Body: await functionPackage(`bad ${i} ${Date.now()}`) }));
      const id = deploymentIdForObject({ bucket: dev.info.artifactBucket, key, versionId: put.VersionId! });
      await until(async () => ((await deployments.get(id))?.status === 'shifting' ? true : undefined), `${id} to start shifting`);
      await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: 'hello-canary-errors', StateValue: 'ALARM', StateReason: 'bench' }));
      const alarmAt = performance.now();
      await until(async () => {
        const alias = await lambda.send(new GetAliasCommand({ FunctionName: 'hello-canary', Name: 'live' }));
        const weights = Object.keys(alias.RoutingConfig?.AdditionalVersionWeights ?? {});
        return alias.FunctionVersion === before && weights.length === 0 ? true : undefined;
      }, 'the alias to be restored');
      rollbackMs.push(performance.now() - alarmAt);
      await dev.orchestrator.settled(id);
      const record = await deployments.get(id);
      if (record?.status !== 'rolled_back') throw new Error(`rollback bench ${id} ended ${record?.status}`);
    }
    await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: 'hello-canary-errors', StateValue: 'OK', StateReason: 'bench done' }));

    const byOperation = Object.fromEntries([...perDeployment.entries()].sort());
    const slipwayMedianMs = median(slipwayMs);
    const bareMedianMs = median(bareMs);
    return {
      runs,
      slipwayMedianMs,
      bareMedianMs,
      ratio: slipwayMedianMs / bareMedianMs,
      apiCallsPerDeployment: [...perDeployment.values()].reduce((a, b) => a + b, 0),
      apiCallsByOperation: byOperation,
      apiCallsByFunction: perFunction,
      bareApiCalls: bareCalls,
      stateTransitions: transitions,
      lambdaInvocations: invocations,
      rollbackMedianMs: median(rollbackMs),
      rollbackRuns,
    };
  } catch (error) {
    const history = await fetch(`${dev.info.apiUrl}/targets/hello/deployments?limit=3`).then((r) => r.text());
    throw new Error(`${(error as Error).message}; recent hello deployments: ${history}`);
  } finally {
    await dev.stop();
    await counter.close();
    await moto.stop();
  }
}
