/** `GET /targets/{name}/pipeline`: the chain of environments the target belongs to. */
import { showPipeline, type PipelineDeps } from '../usecases/pipeline.js';
import { jsonAnswer } from './answers.js';
import { pipelineViewSchema } from './pipeline-schemas.js';
import { pathParam, type ApiEvent, type ApiResult } from './request.js';

export type PipelineEndpoint = (deps: PipelineDeps, event: ApiEvent) => Promise<ApiResult>;

export const getPipelineEndpoint: PipelineEndpoint = async (deps, event) =>
  jsonAnswer(200, pipelineViewSchema, await showPipeline(deps, pathParam(event, 'name')));
