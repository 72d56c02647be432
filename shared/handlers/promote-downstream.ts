/** The PromoteDownstream Task: after the soak, promote the release into the targets taking from this one (usecases/workflow/promote-downstream.ts). */
import type { Logger } from '@aws-lambda-powertools/logger';
import { promoteDownstream, type PromoteDownstreamDeps } from '../usecases/workflow/promote-downstream.js';
import type { WorkflowState } from '../usecases/workflow/state.js';
import { createTaskHandler } from './task.js';

export const createPromoteDownstreamHandler = ({ logger, ...deps }: Omit<PromoteDownstreamDeps, 'log'> & { logger: Logger }) =>
  createTaskHandler(logger, 'promoteDownstream', (state: WorkflowState) =>
    promoteDownstream({ ...deps, log: (message, details) => logger.info(message, details) }, state),
  );
