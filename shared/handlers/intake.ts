import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { acceptUpload, type IntakeDeps } from '../usecases/intake.js';
import { objectsCreated } from '../usecases/s3-notification.js';

/**
 * The intake queue's consumer: each S3 "object created" notification becomes a queued deployment.
 * A failing record (AWS unreachable, say) is reported alone; SQS retries it, then the DLQ keeps it.
 */
export function createIntakeHandler({ logger, ...deps }: Omit<IntakeDeps, 'log' | 'warn'> & { logger: Logger }) {
  const useCaseDeps: IntakeDeps = {
    ...deps,
    log: (message, details) => logger.info(message, details ?? {}),
    warn: (message, details) => logger.warn(message, details ?? {}),
  };
  async function recordHandler(record: SQSRecord): Promise<void> {
    const { objects, problem } = objectsCreated(record.body, deps.clock.now());
    if (problem) logger.warn(`dropping intake message ${record.messageId}: ${problem}`);
    for (const object of objects) {
      const outcome = await acceptUpload(useCaseDeps, object);
      logger.info('intake', { ...outcome });
    }
  }
  const processor = new BatchProcessor(EventType.SQS);
  return middy<SQSEvent>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event, context) => processPartialResponse(event, recordHandler, processor, { context }));
}
