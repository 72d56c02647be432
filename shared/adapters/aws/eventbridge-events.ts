import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE } from '../../domain/events.js';
import type { DeploymentEvents, OutgoingEvent } from '../../ports/index.js';
import { requiredEnv } from './env.js';
import { rethrowTransient } from './sdk-errors.js';

/** PutEvents takes at most 10 entries per call. */
const MAX_ENTRIES_PER_CALL = 10;

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

  /** Up to 10 entries per PutEvents (its limit); entries it reports failed with a retryable code are sent again. */
  async publish(events: readonly OutgoingEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += MAX_ENTRIES_PER_CALL) await this.publishBatch(events.slice(i, i + MAX_ENTRIES_PER_CALL));
  }

  private async publishBatch(events: readonly OutgoingEvent[]): Promise<void> {
    let pending = events.map((event) => ({ EventBusName: this.bus, Source: EVENT_SOURCE, DetailType: event.detailType, Detail: JSON.stringify(event.detail) }));
    for (let attempt = 1; ; attempt++) {
      let failures: { entry: (typeof pending)[number]; code?: string; message?: string }[];
      try {
        const out = await this.client.send(new PutEventsCommand({ Entries: pending }));
        if (!out.FailedEntryCount) return;
        failures = pending.flatMap((entry, i) => {
          const result = out.Entries?.[i];
          return result?.ErrorCode ? [{ entry, code: result.ErrorCode, ...(result.ErrorMessage ? { message: result.ErrorMessage } : {}) }] : [];
        });
      } catch (error) {
        rethrowTransient(error, 'publishing the deployment event');
      }
      const retryable = failures.every((failure) => failure.code !== undefined && RETRYABLE_ENTRY_ERRORS.has(failure.code));
      if (!retryable || attempt >= this.attempts) {
        const first = failures[0];
        const which = failures.map((failure) => failure.entry.DetailType).join(', ');
        throw Object.assign(
          new Error(
            `PutEvents rejected ${failures.length === 1 ? 'the event' : `${failures.length} events`} (${which}) on ${this.bus}: ` +
              `${first?.code ?? 'error'}: ${first?.message ?? 'no message'} (attempt ${attempt})`,
          ),
          { name: retryable ? 'ServiceException' : 'EventRejectedError' },
        );
      }
      pending = failures.map((failure) => failure.entry);
      await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs * 2 ** (attempt - 1)));
    }
  }
}
