import { rollback } from '../shared/usecases/workflow/rollback.js';
import type { WorkflowState } from '../shared/usecases/workflow/state.js';
import { rollbackAdapters } from './rollback-adapters.js';
import { taskHandler } from './task-handler.js';

export const handler = taskHandler('rollback', (state: WorkflowState) => rollback(rollbackAdapters(), state));
