import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { DynamoDeadLetterStore } from '../shared/adapters/aws/dynamo-dead-letters.js';
import { DynamoTargetStore } from '../shared/adapters/aws/dynamo-targets.js';
import { FetchWebhookSender } from '../shared/adapters/http/fetch-webhook.js';
import { lazy } from '../shared/lazy.js';
import { notify, type NotifyDeps } from '../shared/usecases/notify.js';
import { logger } from './task-handler.js';

const deps = lazy(
  (): NotifyDeps => ({
    targets: new DynamoTargetStore(),
    webhook: new FetchWebhookSender(),
    deadLetters: new DynamoDeadLetterStore(),
    log: (message, details) => logger.warn(message, details ?? {}),
  }),
);

let overrides: Partial<NotifyDeps> = {};
/** Tests and `slipway dev` shorten the waits between attempts. */
export function useNotifyOverrides(value: Partial<NotifyDeps>): void {
  overrides = value;
}

/**
 * The rule on the service's bus for "Deployment Status Changed" events invokes this function; it
 * posts the target's webhook, retrying, and keeps a dead letter for what was never delivered.
 */
export const handler = middy<EventBridgeEvent<string, unknown>>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const result = await notify({ ...deps(), ...overrides }, event);
    logger.info('notify', { ...result, eventId: event.id });
    return result;
  });
