/**
 * The operator's routes: cancel, promote, history across targets, a deployment's timeline, and
 * removing a target. Requests and responses go through the schemas in control-schemas.ts.
 */
import { InvalidCursorError } from '../domain/control.js';
import { toView } from '../domain/deployment.js';
import { DeploymentNotFoundError, ValidationError } from '../domain/errors.js';
import { listingPeriod } from '../domain/delivery-metrics.js';
import { parseWith } from '../domain/target.js';
import type { DeploymentControl, DeploymentHistory, TargetRemover } from '../ports/control.js';
import type { Clock, DeploymentStore, TargetStore } from '../ports/index.js';
import { cancelDeployment, promoteDeployment, removeTarget } from '../usecases/control.js';
import { pathParam, readJsonBody, requestedBy, type ApiEvent, type ApiResult } from './request.js';
import {
  cancelRequestSchema,
  deploymentTimelineSchema,
  deploymentListSchema,
  deploymentsQuerySchema,
  promoteRequestSchema,
  statusesOf,
  triggersOf,
} from './control-schemas.js';
import { acceptedDeployment, jsonAnswer } from './answers.js';

export interface ControlApiDeps {
  targets: TargetStore;
  deployments: DeploymentStore;
  control: DeploymentControl;
  history: DeploymentHistory;
  remover: TargetRemover;
  clock: Clock;
}

export type ControlEndpoint = (deps: ControlApiDeps, event: ApiEvent) => Promise<ApiResult>;

/** `POST /deployments/{id}/cancel` `{ reason? }`. */
export const cancelDeploymentEndpoint: ControlEndpoint = async (deps, event) => {
  const request = parseWith(cancelRequestSchema, readJsonBody(event) ?? {}, 'cancel request');
  const by = requestedBy(event);
  const deployment = await cancelDeployment(deps, {
    id: pathParam(event, 'id'),
    ...(by ? { requestedBy: by } : {}),
    ...(request.reason ? { reason: request.reason } : {}),
  });
  return acceptedDeployment(deployment);
};

/** `POST /deployments/{id}/promote` `{ reason }`. */
export const promoteDeploymentEndpoint: ControlEndpoint = async (deps, event) => {
  const request = parseWith(promoteRequestSchema, readJsonBody(event) ?? {}, 'promote request');
  const by = requestedBy(event);
  const deployment = await promoteDeployment(deps, { id: pathParam(event, 'id'), reason: request.reason, ...(by ? { requestedBy: by } : {}) });
  return acceptedDeployment(deployment);
};

/** `GET /deployments?target=&status=&trigger=&since=&until=&limit=&cursor=`: newest first, opaque cursors. */
export const listDeploymentsEndpoint: ControlEndpoint = async (deps, event) => {
  const { query } = parseWith(deploymentsQuerySchema, { query: event.queryStringParameters ?? {} }, 'request');
  const statuses = statusesOf(query.status);
  const triggers = triggersOf(query.trigger);
  const period = listingPeriod(query, deps.clock.now());
  try {
    const page = await deps.history.listPage({
      limit: query.limit,
      ...(query.target ? { target: query.target } : {}),
      ...(statuses ? { statuses } : {}),
      ...(triggers ? { triggers } : {}),
      ...(period.since ? { requestedSince: period.since.toISOString() } : {}),
      ...(period.until ? { requestedUntil: period.until.toISOString() } : {}),
      ...(query.cursor ? { cursor: query.cursor } : {}),
    });
    return jsonAnswer(200, deploymentListSchema, { deployments: page.deployments.map(toView), nextCursor: page.nextCursor ?? null });
  } catch (error) {
    if (!(error instanceof InvalidCursorError)) throw error;
    throw new ValidationError(error.message, [{ path: 'query.cursor', message: error.issues[0]?.message ?? 'invalid cursor' }], { cause: error });
  }
};

/** `GET /deployments/{id}/events`: the timeline, oldest first. */
export const deploymentEventsEndpoint: ControlEndpoint = async (deps, event) => {
  const id = pathParam(event, 'id');
  const deployment = await deps.deployments.get(id);
  if (!deployment) throw new DeploymentNotFoundError(id);
  return jsonAnswer(200, deploymentTimelineSchema, { deploymentId: deployment.id, status: deployment.status, events: deployment.timeline });
};

/** `DELETE /targets/{name}`: 204, or 409 while a deployment of it is active. */
export const deleteTargetEndpoint: ControlEndpoint = async (deps, event) => {
  await removeTarget(deps, pathParam(event, 'name'));
  return { statusCode: 204 };
};
