import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { DeploymentEvents } from '../../ports/index.js';
import { requiredEnv } from './env.js';
import { rethrowTransient } from './sdk-errors.js';

/** Publishes `source: "slipway"` events on the service's bus. */
export class EventBridgeDeploymentEvents implements DeploymentEvents {
  private readonly client: EventBridgeClient;
  private readonly bus: string;

  constructor(options: { client?: EventBridgeClient; busName?: string } = {}) {
    this.client = options.client ?? new EventBridgeClient({});
    this.bus = options.busName ?? process.env.SLIPWAY_EVENT_BUS ?? requiredEnv('SLIPWAY_EVENT_BUS');
  }

  async publish(detailType: string, detail: Record<string, unknown>): Promise<void> {
    try {
      const out = await this.client.send(
        new PutEventsCommand({
          Entries: [{ EventBusName: this.bus, Source: 'slipway', DetailType: detailType, Detail: JSON.stringify(detail) }],
        }),
      );
      if (out.FailedEntryCount) {
        throw Object.assign(new Error(`PutEvents rejected the event: ${out.Entries?.[0]?.ErrorMessage}`), { name: 'ServiceException' });
      }
    } catch (error) {
      rethrowTransient(error, 'publishing the deployment event');
    }
  }
}
