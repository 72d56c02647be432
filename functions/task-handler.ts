import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';

export const logger = new Logger({ serviceName: 'slipway' });

/**
 * Wraps a workflow step as a Lambda handler. Errors propagate untouched: Step Functions matches
 * Retry/Catch on the error name (see PERMANENT_ERRORS).
 */
export function taskHandler<I, O>(step: string, run: (input: I) => Promise<O>) {
  return middy<I, O>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (input) => {
      logger.appendKeys({ step, deploymentId: (input as { deploymentId?: string })?.deploymentId });
      try {
        return await run(input);
      } catch (error) {
        logger.warn('step failed', { error: error as Error });
        throw error;
      }
    });
}
