import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE } from '../../domain/events.js';
import type { DeploymentEvents } from '../../ports/index.js';
import { requiredEnv } from './env.js';
import { rethrowTransient } from './sdk-errors.js';

/** Entry error codes PutEvents reports for a failure worth another try. */
const RETRYABLE_ENTRY_ERRORS = new Set(['ThrottlingException', 'InternalFailure', 'InternalException', 'ServiceUnavailable']);

export interface EventBridgeEventsOptions {
  client?: EventBridgeClient;
  busName?: string;
  /** Attempts for an entry PutEvents reports as failed with a retryable code (the SDK itself retries throttled or failed calls). */
  attempts?: number;
  retryDelayMs?: number;
}

/** Publishes `source: "slipway"` events on the service's bus. */
export class EventBridgeDeploymentEvents implements DeploymentEvents {
  private readonly client: EventBridgeClient;
  private readonly bus: string;
  private readonly attempts: number;
  private readonly retryDelayMs: number;

  constructor(options: EventBridgeEventsOptions = {}) {
    this.client = options.client ?? new EventBridgeClient({});
    this.bus = options.busName ?? process.env.SLIPWAY_EVENT_BUS ?? requiredEnv('SLIPWAY_EVENT_BUS');
    this.attempts = options.attempts ?? 3;
    this.retryDelayMs = options.retryDelayMs ?? 100;
  }

  async publish(detailType: string, detail: Record<string, unknown>): Promise<void> {
    const entry = { EventBusName: this.bus, Source: EVENT_SOURCE, DetailType: detailType, Detail: JSON.stringify(detail) };
    for (let attempt = 1; ; attempt++) {
      let failure: { code?: string; message?: string } | undefined;
      try {
        const out = await this.client.send(new PutEventsCommand({ Entries: [entry] }));
        if (!out.FailedEntryCount) return;
        failure = { code: out.Entries?.[0]?.ErrorCode, message: out.Entries?.[0]?.ErrorMessage };
      } catch (error) {
        rethrowTransient(error, 'publishing the deployment event');
      }
      const retryable = failure.code !== undefined && RETRYABLE_ENTRY_ERRORS.has(failure.code);
      if (!retryable || attempt >= this.attempts) {
        throw Object.assign(
          new Error(`PutEvents rejected the event on ${this.bus}: ${failure.code ?? 'error'}: ${failure.message ?? 'no message'} (attempt ${attempt})`),
          {
            name: retryable ? 'ServiceException' : 'EventRejectedError',
          },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs * 2 ** (attempt - 1)));
    }
  }
}
