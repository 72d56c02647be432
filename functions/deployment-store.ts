import { DynamoDeploymentStore } from '../shared/adapters/aws/dynamo-deployments.js';
import { EventBridgeDeploymentEvents } from '../shared/adapters/aws/eventbridge-events.js';
import { withDeploymentEvents } from '../shared/usecases/deployment-events.js';
import { logger } from './task-handler.js';

/**
 * The deployment store of every function that writes a status or a traffic share: each such write
 * is published on the bus (shared/usecases/deployment-events.ts). A publish that still fails after
 * the retries is logged as a warning with the whole event and does not fail the function.
 */
export function publishingDeploymentStore(): DynamoDeploymentStore {
  return withDeploymentEvents(new DynamoDeploymentStore(), new EventBridgeDeploymentEvents(), (message, details) =>
    logger.warn(message, details),
  );
}
