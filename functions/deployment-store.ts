import { DynamoDeploymentStore } from '../shared/adapters/aws/dynamo-deployments.js';
import { EventBridgeDeploymentEvents } from '../shared/adapters/aws/eventbridge-events.js';
import type { DeploymentEvents } from '../shared/ports/index.js';
import { withDeploymentEvents } from '../shared/usecases/deployment-events.js';
import { logger } from './task-handler.js';

export type PublishedEventTap = (detailType: string, detail: Record<string, unknown>) => void;

let tap: PublishedEventTap | undefined;

/**
 * `slipway dev` only: every event published on the bus is also handed to `listener`, in-process.
 * moto's EventBridge does not invoke Lambda targets, so dev mode plays the rules' part itself
 * (the notify function's rule, say). Read on every publish, so the order of set-up does not matter.
 */
export function usePublishedEventTap(listener: PublishedEventTap | undefined): void {
  tap = listener;
}

const tapped = (events: DeploymentEvents): DeploymentEvents => ({
  async publish(detailType, detail) {
    await events.publish(detailType, detail);
    tap?.(detailType, detail);
  },
});

/**
 * The deployment store of every function that writes a status or a traffic share: each such write
 * is published on the bus (shared/usecases/deployment-events.ts). A publish that still fails after
 * the retries is logged as a warning with the whole event and does not fail the function.
 */
export function publishingDeploymentStore(): DynamoDeploymentStore {
  return withDeploymentEvents(new DynamoDeploymentStore(), tapped(new EventBridgeDeploymentEvents()), (message, details) =>
    logger.warn(message, details),
  );
}
