/**
 * The promotion routes: promote a release into a gated target, approve or reject a promotion that
 * awaits approval. Each reads its request, calls one use case (shared/usecases/promotions.ts) and
 * answers 202 with the deployment; a gate that is not met is a ConflictError (409, its `detail`
 * names the gate).
 */
import { parseWith } from '../domain/target.js';
import type { Clock, DeploymentStore, Orchestrator, TargetStore } from '../ports/index.js';
import { approvePromotion, promoteRelease, rejectPromotion } from '../usecases/promotions.js';
import { acceptedDeployment } from './answers.js';
import { approvalRequestSchema, promotionRequestSchema } from './promotion-schemas.js';
import { pathParam, readJsonBody, requestedBy, type ApiEvent, type ApiResult } from './request.js';

export interface PromotionApiDeps {
  targets: TargetStore;
  deployments: DeploymentStore;
  orchestrator: Orchestrator;
  clock: Clock;
}

export type PromotionEndpoint = (deps: PromotionApiDeps, event: ApiEvent) => Promise<ApiResult>;

/** `POST /targets/{name}/promotions` `{ release? }`: the named release of the upstream, or its newest eligible one. */
export const promoteTargetEndpoint: PromotionEndpoint = async (deps, event) => {
  const request = parseWith(promotionRequestSchema, readJsonBody(event) ?? {}, 'promotion request');
  const by = requestedBy(event);
  const { deployment } = await promoteRelease(deps, {
    target: pathParam(event, 'name'),
    ...(request.release ? { release: request.release } : {}),
    ...(by ? { requestedBy: by } : {}),
  });
  return acceptedDeployment(deployment);
};

/** `POST /deployments/{id}/approve` `{ reason }`. */
export const approveDeploymentEndpoint: PromotionEndpoint = async (deps, event) => {
  const request = parseWith(approvalRequestSchema, readJsonBody(event) ?? {}, 'approval');
  const by = requestedBy(event);
  return acceptedDeployment(await approvePromotion(deps, { id: pathParam(event, 'id'), reason: request.reason, ...(by ? { requestedBy: by } : {}) }));
};

/** `POST /deployments/{id}/reject` `{ reason }`. */
export const rejectDeploymentEndpoint: PromotionEndpoint = async (deps, event) => {
  const request = parseWith(approvalRequestSchema, readJsonBody(event) ?? {}, 'rejection');
  const by = requestedBy(event);
  return acceptedDeployment(await rejectPromotion(deps, { id: pathParam(event, 'id'), reason: request.reason, ...(by ? { requestedBy: by } : {}) }));
};
