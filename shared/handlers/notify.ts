import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { notify, type NotifyDeps } from '../usecases/notify.js';

/**
 * The rule on the service's bus for "Deployment Status Changed" events invokes this handler; it
 * posts the target's webhook, retrying, and keeps a dead letter for what was never delivered.
 */
export function createNotifyHandler({ logger, ...deps }: Omit<NotifyDeps, 'log'> & { logger: Logger }) {
  const useCaseDeps: NotifyDeps = { ...deps, log: (message, details) => logger.warn(message, details ?? {}) };
  return middy<EventBridgeEvent<string, unknown>>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      const result = await notify(useCaseDeps, event);
      logger.info('notify', { ...result, eventId: event.id });
      return result;
    });
}
