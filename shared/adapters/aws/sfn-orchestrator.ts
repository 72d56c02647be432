import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Orchestrator } from '../../ports/index.js';
import { requiredEnv } from './env.js';
import { errorName, rethrowTransient } from './sdk-errors.js';

/** Starts the deploy state machine; the execution name is the deployment id, so a start is idempotent. */
export class StepFunctionsOrchestrator implements Orchestrator {
  private readonly client: SFNClient;
  private readonly stateMachineArn: string;

  constructor(options: { client?: SFNClient; stateMachineArn?: string } = {}) {
    this.client = options.client ?? new SFNClient({});
    this.stateMachineArn = options.stateMachineArn ?? requiredEnv('SLIPWAY_STATE_MACHINE_ARN');
  }

  async start(deploymentId: string): Promise<void> {
    try {
      await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: deploymentId,
          input: JSON.stringify({ deploymentId }),
        }),
      );
    } catch (error) {
      // Same name, same input: the execution exists (a redelivered event or a retried request).
      if (errorName(error) === 'ExecutionAlreadyExists') return;
      rethrowTransient(error, `starting the workflow for ${deploymentId}`);
    }
  }
}
