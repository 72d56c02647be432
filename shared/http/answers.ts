/**
 * How routes answer: JSON checked against its schema on the way out (the schema the OpenAPI
 * document shows), so the code and the document cannot drift.
 */
import type { z } from 'zod';
import { toView, type Deployment } from '../domain/deployment.js';
import { deploymentViewSchema } from './control-schemas.js';
import type { ApiResult } from './request.js';

export function jsonAnswer<S extends z.ZodTypeAny>(statusCode: number, schema: S, body: z.input<S>, headers: Record<string, string> = {}): ApiResult {
  return { statusCode, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(schema.parse(body)) };
}

/** 202 with the deployment a request created or changed, and where to follow it. */
export function acceptedDeployment(deployment: Deployment): ApiResult {
  return jsonAnswer(202, deploymentViewSchema, toView(deployment), { Location: `/deployments/${encodeURIComponent(deployment.id)}` });
}
