import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { DynamoTargetStore } from '../shared/adapters/aws/dynamo-targets.js';
import { requiredEnv } from '../shared/adapters/aws/env.js';
import { S3ArtifactStore } from '../shared/adapters/aws/s3-artifacts.js';
import { StepFunctionsOrchestrator } from '../shared/adapters/aws/sfn-orchestrator.js';
import { lazy } from '../shared/lazy.js';
import type { Orchestrator } from '../shared/ports/index.js';
import { acceptUpload } from '../shared/usecases/intake.js';
import { objectsCreated } from '../shared/usecases/s3-notification.js';
import { publishingDeploymentStore } from './deployment-store.js';
import { logger } from './task-handler.js';

let orchestratorOverride: Orchestrator | undefined;
/** `slipway dev` runs the workflow in-process instead of in Step Functions. */
export function useOrchestrator(orchestrator: Orchestrator): void {
  orchestratorOverride = orchestrator;
}

const adapters = lazy(() => ({
  targets: new DynamoTargetStore(),
  artifacts: new S3ArtifactStore(),
  deployments: publishingDeploymentStore(),
  artifactBucket: requiredEnv('SLIPWAY_ARTIFACT_BUCKET'),
  log: (message: string, details?: Record<string, unknown>) => logger.info(message, details ?? {}),
  warn: (message: string, details?: Record<string, unknown>) => logger.warn(message, details ?? {}),
}));
const stepFunctions = lazy(() => new StepFunctionsOrchestrator());
const deps = () => ({ ...adapters(), orchestrator: orchestratorOverride ?? stepFunctions() });

/** A failing record (AWS unreachable, say) is reported alone; SQS retries it, then the DLQ keeps it. */
async function recordHandler(record: SQSRecord): Promise<void> {
  const { objects, problem } = objectsCreated(record.body);
  if (problem) logger.warn(`dropping intake message ${record.messageId}: ${problem}`);
  for (const object of objects) {
    const outcome = await acceptUpload(deps(), object);
    logger.info('intake', { ...outcome });
  }
}

const processor = new BatchProcessor(EventType.SQS);

export const handler = middy<SQSEvent>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event, context) => processPartialResponse(event, recordHandler, processor, { context }));
