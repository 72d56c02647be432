/**
 * What each route of the HTTPS API does: read the request, call one use case, shape the answer.
 * Errors are thrown as they are and turned into problem documents in one place (problems.ts).
 */
import { toView } from '../domain/deployment.js';
import { DeploymentNotFoundError, TargetNotFoundError } from '../domain/errors.js';
import { parseWith, targetSchema } from '../domain/target.js';
import { applyTarget } from '../usecases/targets.js';
import { deployRelease, requestRollback, type DeployDeps, type RollbackRequestDeps } from '../usecases/deployments.js';
import { pathParam, readJsonBody, requestedBy, requireJsonBody, type ApiEvent, type ApiResult } from './request.js';
import { deploymentViewSchema } from './control-schemas.js';
import {
  deployRequestSchema,
  historyQuerySchema,
  rollbackRequestSchema,
  targetApplyQuerySchema,
  targetAppliedSchema,
  targetConfigRequestSchema,
  targetDeploymentsSchema,
  targetListSchema,
} from './schemas.js';
import { acceptedDeployment, jsonAnswer } from './answers.js';

export type ApiDeps = DeployDeps & RollbackRequestDeps;
export type Endpoint = (deps: ApiDeps, event: ApiEvent) => Promise<ApiResult>;

/**
 * `PUT /targets/{name}[?dryRun=true]`: registers or replaces a target. A change of its configuration
 * alone deploys the live release again with it: 202 with the deployment; otherwise 200. Both answer
 * the stored, defaulted target and the configuration's changes; a dry run stores and starts nothing.
 */
export const putTarget: Endpoint = async (deps, event) => {
  const body = requireJsonBody(event, 'the target config');
  const { query } = parseWith(targetApplyQuerySchema, { query: event.queryStringParameters ?? {} }, 'request');
  parseWith(targetConfigRequestSchema, body, 'target');
  const by = requestedBy(event);
  const applied = await applyTarget({ ...deps, resources: deps }, pathParam(event, 'name'), body, {
    dryRun: query.dryRun === 'true',
    ...(by ? { requestedBy: by } : {}),
  });
  const answer = { ...applied, deployment: applied.deployment ? toView(applied.deployment) : null };
  if (!applied.deployment) return jsonAnswer(200, targetAppliedSchema, answer);
  return jsonAnswer(202, targetAppliedSchema, answer, { Location: `/deployments/${encodeURIComponent(applied.deployment.id)}` });
};

/** `GET /targets`. */
export const listTargets: Endpoint = async (deps) => jsonAnswer(200, targetListSchema, { targets: await deps.targets.list() });

/** `GET /targets/{name}`. */
export const getTarget: Endpoint = async (deps, event) => {
  const name = pathParam(event, 'name');
  const target = await deps.targets.get(name);
  if (!target) throw new TargetNotFoundError(name);
  return jsonAnswer(200, targetSchema, target);
};

/** `POST /deployments` `{ target, release }`: the HTTPS trigger; the workflow runs on after 202. */
export const createDeployment: Endpoint = async (deps, event) => {
  const request = parseWith(deployRequestSchema, requireJsonBody(event, '{ "target", "release" }'), 'deployment request');
  const by = requestedBy(event);
  const deployment = await deployRelease(deps, { ...request, ...(by ? { requestedBy: by } : {}) });
  return acceptedDeployment(deployment);
};

/** `GET /deployments/{id}`. */
export const getDeployment: Endpoint = async (deps, event) => {
  const id = pathParam(event, 'id');
  const deployment = await deps.deployments.get(id);
  if (!deployment) throw new DeploymentNotFoundError(id);
  return jsonAnswer(200, deploymentViewSchema, toView(deployment));
};

/** `GET /targets/{name}/deployments?limit=N`: newest first. */
export const listTargetDeployments: Endpoint = async (deps, event) => {
  const name = pathParam(event, 'name');
  const { query } = parseWith(historyQuerySchema, { query: event.queryStringParameters ?? {} }, 'request');
  if (!(await deps.targets.get(name))) throw new TargetNotFoundError(name);
  const deployments = await deps.deployments.listByTarget(name, { limit: query.limit });
  return jsonAnswer(200, targetDeploymentsSchema, { deployments: deployments.map(toView) });
};

/** `POST /targets/{name}/rollback` `{ release? }` (an empty body means the previous release). */
export const rollbackTarget: Endpoint = async (deps, event) => {
  const request = parseWith(rollbackRequestSchema, readJsonBody(event) ?? {}, 'rollback request');
  const by = requestedBy(event);
  const deployment = await requestRollback(deps, {
    target: pathParam(event, 'name'),
    ...(request.release ? { release: request.release } : {}),
    ...(by ? { requestedBy: by } : {}),
  });
  return acceptedDeployment(deployment);
};
