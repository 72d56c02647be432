/**
 * The shipped layer's harness: the zips `serverless package` builds, unpacked, each function run
 * in a worker thread of its own with the environment serverless.yml gives it in AWS (names of the
 * test's world, credentials `fn-<key>` so the strict-AWS proxy evaluates its packaged role), and
 * the real definition driving them through the local orchestrator.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LocalOrchestrator, type LambdaHandler, type LocalRunOptions } from '../../dev/local-orchestrator.js';
import type { FunctionKey } from '../../roots/aws.js';
import { readZip } from '../package/zip.js';
import { PACKAGED_STAGE, packagedDir } from './packaged.js';
import { lambdaResponseWithinLimit } from './strict-aws/state-limits.js';
import { INSTANT_RETRIES, INSTANT_WAITS } from './workflow-harness.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WORKER = fileURLToPath(new URL('./lambda-worker.mjs', import.meta.url));
export const SHIPPED_STAGE = PACKAGED_STAGE;

export interface PackagedFunction {
  key: FunctionKey;
  entry: string;
  timeoutSeconds: number;
  environment: Record<string, unknown>;
}

/** The cached package (test/support/packaged.ts), its zips unpacked once beside it. */
export async function packagedFunctions(): Promise<Map<FunctionKey, PackagedFunction>> {
  const dir = packagedDir(ROOT);
  const unpacked = join(dir, 'unpacked');
  if (!existsSync(join(unpacked, 'done'))) {
    const scratch = `${unpacked}.${process.pid}`;
    rmSync(scratch, { recursive: true, force: true });
    for (const zip of readdirSync(dir).filter((name) => name.endsWith('.zip'))) {
      for (const [name, content] of await readZip(join(dir, zip))) {
        const path = join(scratch, zip.replace(/\.zip$/, ''), name);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, content);
      }
    }
    writeFileSync(join(scratch, 'done'), '');
    if (!existsSync(join(unpacked, 'done'))) {
      rmSync(unpacked, { recursive: true, force: true });
      renameSync(scratch, unpacked);
    } else rmSync(scratch, { recursive: true, force: true });
  }
  const state = JSON.parse(readFileSync(join(dir, 'serverless-state.json'), 'utf8'));
  const functions = new Map<FunctionKey, PackagedFunction>();
  for (const [key, fn] of Object.entries(
    state.service.functions as Record<string, { handler: string; timeout?: number; environment?: Record<string, unknown> }>,
  )) {
    const entry = join(dir, 'unpacked', key, `${fn.handler.replace(/\.handler$/, '')}.mjs`);
    if (!statSync(entry).isFile()) throw new Error(`${key}: no bundle at ${entry}`);
    functions.set(key as FunctionKey, {
      key: key as FunctionKey,
      entry,
      timeoutSeconds: fn.timeout ?? state.service.provider.timeout ?? 30,
      environment: { ...state.service.provider.environment, ...fn.environment },
    });
  }
  return functions;
}

/** A packaged function running in its own worker thread, invoked like Lambda invokes it. */
export class ShippedFunction {
  readonly invocations: unknown[] = [];
  private readonly worker: Worker;
  private next = 0;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  constructor(
    readonly fn: PackagedFunction,
    env: Record<string, string>,
  ) {
    this.worker = new Worker(WORKER, {
      env,
      workerData: { entry: fn.entry, functionName: `slipway-${SHIPPED_STAGE}-${fn.key}`, timeoutSeconds: fn.timeoutSeconds },
    });
    this.worker.on('message', (message: { id: number; ok: boolean; json?: string; error?: { name: string; message: string; stack?: string } }) => {
      const call = this.pending.get(message.id);
      if (!call) return;
      this.pending.delete(message.id);
      if (message.ok) {
        try {
          lambdaResponseWithinLimit(Buffer.byteLength(message.json ?? ''));
          call.resolve(JSON.parse(message.json ?? 'null'));
        } catch (error) {
          call.reject(error as Error);
        }
        return;
      }
      const error = new Error(message.error?.message ?? 'unknown error');
      error.name = message.error?.name ?? 'Error';
      if (message.error?.stack) error.stack = message.error.stack;
      call.reject(error);
    });
    this.worker.on('error', (error) => {
      for (const call of this.pending.values()) call.reject(error);
      this.pending.clear();
    });
  }

  readonly invoke: LambdaHandler = (event: never) => {
    this.invocations.push(event);
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, event });
    });
  };

  stop(): Promise<number> {
    return this.worker.terminate();
  }
}

export interface ShippedWorld {
  tableName: string;
  artifactBucket: string;
  eventBus: string;
}

/** Every packaged function, each in its worker, with the environment AWS would give it. */
export function startShippedFunctions(
  functions: Map<FunctionKey, PackagedFunction>,
  world: ShippedWorld,
  settings: Record<string, string> = {},
): Map<FunctionKey, ShippedFunction> {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  if (!endpoint) throw new Error('useMoto() first: the bundles need the emulator endpoint');
  const running = new Map<FunctionKey, ShippedFunction>();
  for (const fn of functions.values()) {
    const env: Record<string, string> = {
      AWS_REGION: 'us-east-1',
      AWS_LAMBDA_FUNCTION_NAME: `slipway-${SHIPPED_STAGE}-${fn.key}`,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_ACCESS_KEY_ID: `fn-${fn.key}`,
      AWS_SECRET_ACCESS_KEY: 'shipped',
      AWS_SESSION_TOKEN: 'shipped',
      AWS_ENDPOINT_URL: endpoint,
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      POWERTOOLS_SERVICE_NAME: 'slipway',
      PATH: process.env.PATH ?? '',
      // What serverless.yml sets, with the test's own names for the stack's resources.
      SLIPWAY_TABLE: world.tableName,
      SLIPWAY_ARTIFACT_BUCKET: world.artifactBucket,
      SLIPWAY_EVENT_BUS: world.eventBus,
      // moto's CloudWatch cannot compute percentiles (a p99 query answers 500).
      SLIPWAY_DURATION_P99: 'off',
      ...(fn.environment.SLIPWAY_STATE_MACHINE_ARN ? { SLIPWAY_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:slipway-shipped' } : {}),
      ...Object.fromEntries(
        Object.entries(fn.environment)
          .filter(([name, value]) => /^SLIPWAY_HOOK_/.test(name) && typeof value !== 'object')
          .map(([name, value]) => [name, String(value)]),
      ),
      ...settings,
    };
    running.set(fn.key, new ShippedFunction(fn, env));
  }
  return running;
}

/** The real definition with the packaged Task functions; waits and retries instant unless overridden. */
export function shippedOrchestrator(running: Map<FunctionKey, ShippedFunction>, options: LocalRunOptions = {}): LocalOrchestrator {
  const tasks = Object.fromEntries([...running].map(([key, fn]) => [key, fn.invoke]));
  return new LocalOrchestrator(
    { tasks, reconcile: running.get('reconcile')!.invoke },
    { waitTimeOverrides: INSTANT_WAITS, retryIntervalOverrides: INSTANT_RETRIES, ...options },
  );
}
