/**
 * The local runtime's composition: the AWS root's very factories, built against an emulator with
 * explicit names and endpoint, the deploy state machine run in-process by the local orchestrator,
 * and every function's clients signing as that function (`fn-<key>`), so that a strict emulator in
 * front of moto can evaluate each request against the function's own role.
 */
import {
  apiHandler,
  intakeHandler,
  notifyHandler,
  promoteDownstreamHandler,
  reconcileHandler,
  workflowHandlers,
  type AwsRootConfig,
  type FunctionKey,
} from '../roots/aws.js';
import { S3Client } from '@aws-sdk/client-s3';
import { S3SiteReader } from '../shared/adapters/aws/s3-site-reader.js';
import type { Clock, Orchestrator, SyntheticInvoker } from '../shared/ports/index.js';
import { LocalOrchestrator, type LambdaHandler, type LocalRunOptions } from './local-orchestrator.js';

export interface LocalRuntimeOptions {
  /** The functions' environment: names (SLIPWAY_TABLE, …) and settings (SLIPWAY_LOCK_POLL_SECONDS, …). */
  env: Readonly<Record<string, string | undefined>>;
  /** The emulator's endpoint and region. */
  endpoint: string;
  region: string;
  run?: LocalRunOptions;
  onEventPublished?: AwsRootConfig['onEventPublished'];
  notifyTuning?: AwsRootConfig['notifyTuning'];
  /** The functions' logger (tests spy on it); each function gets its own otherwise. */
  logger?: AwsRootConfig['logger'];
  /** The functions' clock (tests move it); the system clock otherwise. */
  clock?: Clock;
  /** Where the API and intake start executions instead of the local orchestrator (tests record them). */
  orchestrator?: Orchestrator;
  /** Or a wrapper of the local orchestrator. */
  wrapOrchestrator?: (local: Orchestrator) => Orchestrator;
  /** What CheckHealth invokes canary versions with for health.synthetic (dev mode: their code run locally); Lambda's Invoke otherwise. */
  syntheticInvoker?: SyntheticInvoker;
}

export interface LocalRuntime {
  orchestrator: LocalOrchestrator;
  api: LambdaHandler;
  intake: LambdaHandler;
  notify: LambdaHandler;
  /** The Rollback Task's handler, for the deployments a killed `slipway dev` left unfinished (dev/interrupted.ts). */
  rollback: LambdaHandler;
}

/** The access key id of the state machine's own requests locally (a caller the strict-AWS proxy only limit-checks). */
export const STATE_MACHINE_ACCESS_KEY = 'states-deploy';

/** The access key id a function's requests are signed with locally. */
export const functionAccessKey = (fn: FunctionKey): string => `fn-${fn}`;

export function createLocalRuntime(options: LocalRuntimeOptions): LocalRuntime {
  const base: AwsRootConfig = {
    env: options.env,
    clientConfig: (fn) => ({
      endpoint: options.endpoint,
      region: options.region,
      credentials: { accessKeyId: functionAccessKey(fn), secretAccessKey: 'local' },
    }),
    ...(options.onEventPublished ? { onEventPublished: options.onEventPublished } : {}),
    ...(options.notifyTuning ? { notifyTuning: options.notifyTuning } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.syntheticInvoker ? { syntheticInvoker: options.syntheticInvoker } : {}),
  };
  // The state machine's own reads (a Distributed Map's ItemReader) sign as the state machine.
  const stateMachineS3 = new S3Client({
    endpoint: options.endpoint,
    region: options.region,
    forcePathStyle: true,
    credentials: { accessKeyId: STATE_MACHINE_ACCESS_KEY, secretAccessKey: 'local' },
  });
  const items = new S3SiteReader({ client: stateMachineS3 });
  const tasks = workflowHandlers(base) as unknown as Record<string, LambdaHandler> & { rollback: LambdaHandler };
  // PromoteDownstream starts executions: it gets the orchestrator the API gets, which exists only
  // once the local orchestrator (which needs every Task's handler) is built.
  let starts: Orchestrator | undefined;
  tasks.promoteDownstream = promoteDownstreamHandler({
    ...base,
    orchestrator: {
      start: (id) => {
        if (!starts) throw new Error('the local orchestrator is not built yet');
        return starts.start(id);
      },
    },
  }) as unknown as LambdaHandler;
  const orchestrator = new LocalOrchestrator(
    {
      tasks,
      reconcile: reconcileHandler(base) as unknown as LambdaHandler,
      readJson: (bucket, key) => items.readJson(bucket, key),
    },
    options.run,
  );
  const root: AwsRootConfig = { ...base, orchestrator: options.orchestrator ?? options.wrapOrchestrator?.(orchestrator) ?? orchestrator };
  starts = root.orchestrator;
  return {
    orchestrator,
    api: apiHandler(root) as unknown as LambdaHandler,
    intake: intakeHandler(root) as unknown as LambdaHandler,
    notify: notifyHandler(root) as unknown as LambdaHandler,
    rollback: tasks.rollback,
  };
}
