import { StateMachine } from 'aws-local-stepfunctions';
import type { Orchestrator } from '../shared/ports/index.js';
import { S3SiteReader } from '../shared/adapters/aws/s3-site-reader.js';
import { itemReaderStates, loadDefinition, readItemsTask, taskFunctions, type ReadJson } from './definition.js';
import { localLambdaContext } from './lambda-context.js';
export type TaskFn = (input: unknown) => Promise<unknown>;
/** A Lambda handler as the runtime calls it: the event and a context. */
export type LambdaHandler = (event: never, context: never) => Promise<unknown>;

/**
 * What the definition's Task states invoke, by serverless.yml function key, and `reconcile`, which
 * the EventBridge rule on "Step Functions Execution Status Change" invokes in AWS. The dev runtime
 * builds them with the AWS root's factories; the shipped tests hand in the packaged bundles.
 */
export interface LocalHandlers {
  tasks: Record<string, LambdaHandler>;
  reconcile: LambdaHandler;
  /**
   * What reads a Distributed Map's items from S3 (the state machine's ItemReader in AWS): the SDK's
   * standard configuration chain unless given.
   */
  readJson?: ReadJson;
}

export interface LocalRunOptions {
  /** Milliseconds for Wait states, by state name (tests make bakes instant). */
  waitTimeOverrides?: Record<string, number>;
  retryIntervalOverrides?: Record<string, number>;
  /** Wraps each Task's handler, e.g. to inject faults: (stateName, functionKey, run) → run. */
  wrapTask?: (stateName: string, functionKey: string, run: TaskFn) => TaskFn;
  /** Told of every execution name before it starts (tests check Step Functions' naming rules). */
  onStart?: (name: string) => void;
  /** Told of each state an execution enters, and of its end: `slipway dev` prints progress. */
  onProgress?: (execution: ExecutionRecord, stateName?: string) => void;
}

export interface ExecutionRecord {
  name: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  states: string[];
  /** History events the local engine reported, the way Step Functions counts them against its 25,000. */
  events: number;
  error?: string;
  done: Promise<void>;
}

/**
 * Runs statemachine/deploy.asl.json with aws-local-stepfunctions, each Task calling the very
 * same Lambda handler that serverless.yml deploys, in this process. Execution names are
 * deployment ids: starting a name twice is a no-op, as in Step Functions.
 */
export class LocalOrchestrator implements Orchestrator {
  private readonly machine: StateMachine;
  private readonly handlers: Record<string, TaskFn> = {};
  readonly executions = new Map<string, ExecutionRecord>();
  private readonly aborts = new Set<() => void>();

  constructor(
    private readonly lambdas: LocalHandlers,
    private readonly options: LocalRunOptions = {},
  ) {
    const definition = loadDefinition();
    this.machine = new StateMachine(definition as never, { validationOptions: { checkPaths: true } });
    for (const [stateName, functionKey] of Object.entries(taskFunctions())) {
      const lambda = lambdas.tasks[functionKey];
      if (!lambda) throw new Error(`no local handler for function "${functionKey}" (state ${stateName})`);
      const run: TaskFn = (input) => lambda(input as never, localLambdaContext(functionKey) as never);
      this.handlers[stateName] = options.wrapTask ? options.wrapTask(stateName, functionKey, run) : run;
    }
    // Not a function's Task: Step Functions' own ItemReader, which runs no Lambda in AWS.
    const readJson = lambdas.readJson ?? ((bucket, key) => new S3SiteReader().readJson(bucket, key));
    for (const stateName of itemReaderStates()) this.handlers[stateName] = readItemsTask(readJson);
  }

  async start(deploymentId: string): Promise<void> {
    if (this.executions.has(deploymentId)) return;
    this.options.onStart?.(deploymentId);
    const execution = this.machine.run(
      { deploymentId },
      {
        overrides: {
          taskResourceLocalHandlers: this.handlers as never,
          ...(this.options.waitTimeOverrides ? { waitTimeOverrides: this.options.waitTimeOverrides } : {}),
          ...(this.options.retryIntervalOverrides ? { retryIntervalOverrides: this.options.retryIntervalOverrides } : {}),
        },
        noThrowOnAbort: true,
      },
    );
    const record: ExecutionRecord = { name: deploymentId, status: 'RUNNING', states: [], events: 0, done: Promise.resolve() };
    this.aborts.add(execution.abort);
    const collect = (async () => {
      for await (const event of execution.eventLogs) {
        record.events += 1;
        if (event.type === 'StateEntered') {
          record.states.push(event.state.name);
          this.options.onProgress?.(record, event.state.name);
        }
      }
    })().catch(() => undefined);
    record.done = execution.result
      .then(() => {
        record.status = 'SUCCEEDED';
      })
      .catch((error: unknown) => {
        record.status = 'FAILED';
        record.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      })
      .then(() => collect)
      .then(() => this.announceEnd(record))
      .finally(() => {
        this.aborts.delete(execution.abort);
        this.options.onProgress?.(record);
      });
    this.executions.set(deploymentId, record);
  }

  /**
   * What the EventBridge rule on "Step Functions Execution Status Change" does in AWS: a failed
   * execution goes to the reconcile function, which finishes what the workflow could not.
   */
  private async announceEnd(record: ExecutionRecord): Promise<void> {
    if (record.status !== 'FAILED' && record.status !== 'ABORTED') return;
    const detail = { name: record.name, status: record.status, ...(record.error ? { error: record.error } : {}) };
    const event = { source: 'aws.states', 'detail-type': 'Step Functions Execution Status Change', detail };
    try {
      await this.lambdas.reconcile(event as never, localLambdaContext('reconcile') as never);
    } catch (error) {
      record.error = `${record.error ?? ''}; reconcile failed: ${(error as Error).message}`;
    }
  }

  /** Resolves when the named execution (or every execution) has ended. */
  async settled(deploymentId?: string): Promise<void> {
    if (deploymentId) {
      await this.executions.get(deploymentId)?.done;
      return;
    }
    await Promise.all([...this.executions.values()].map((e) => e.done));
  }

  stop(): void {
    for (const abort of this.aborts) abort();
  }
}
