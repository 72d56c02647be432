import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';

/**
 * Wraps a workflow step as a Lambda handler. Errors propagate untouched: Step Functions matches
 * Retry/Catch on the error name (see PERMANENT_ERRORS), so the bundles keep class names.
 */
export function createTaskHandler<I, O>(logger: Logger, step: string, run: (input: I) => Promise<O>) {
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
