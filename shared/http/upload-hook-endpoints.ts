/**
 * Routes of presigned uploads and deploy hooks: read the request, call one use case, shape the
 * answer through its schema. Errors become problem documents in problems.ts.
 */
import type { z } from 'zod';
import { HOOK_SECRET_HEADER, type DeployHook } from '../domain/deploy-hook.js';
import { parseWith } from '../domain/target.js';
import { callDeployHook, createDeployHook, listDeployHooks, revokeDeployHook, type DeployHookDeps } from '../usecases/deploy-hooks.js';
import { requestUpload, type ReleaseUploadDeps } from '../usecases/release-uploads.js';
import { pathParam, readJsonBody, requireJsonBody, type ApiEvent, type ApiResult } from './request.js';
import {
  deployHookCallRequestSchema,
  deployHookCreateRequestSchema,
  deployHookCreatedSchema,
  deployHookListSchema,
  type deployHookViewSchema,
  releaseUploadRequestSchema,
  releaseUploadResponseSchema,
} from './upload-hook-schemas.js';
import { acceptedDeployment, jsonAnswer } from './answers.js';

export type UploadHookDeps = ReleaseUploadDeps & DeployHookDeps;
export type UploadHookEndpoint = (deps: UploadHookDeps, event: ApiEvent) => Promise<ApiResult>;

/** Answers that carry a secret or a bearer URL are never to be cached by anything on the way. */
const NO_STORE = { 'Cache-Control': 'no-store' };

function hookView(hook: DeployHook): z.input<typeof deployHookViewSchema> {
  return {
    id: hook.id,
    target: hook.target,
    name: hook.name,
    release: hook.release ?? null,
    createdAt: hook.createdAt,
    lastUsedAt: hook.lastUsedAt ?? null,
  };
}

function hookPath(id: string): string {
  return `/hooks/${encodeURIComponent(id)}`;
}

/** `POST /targets/{name}/releases` `{ release, sha256, size }`: a presigned PUT for the release zip. */
export const createReleaseUpload: UploadHookEndpoint = async (deps, event) => {
  const target = pathParam(event, 'name');
  const request = parseWith(releaseUploadRequestSchema, requireJsonBody(event, '{ "release", "sha256", "size" }'), 'upload request');
  const grant = await requestUpload(deps, { target, ...request, sha256: request.sha256.toLowerCase() });
  return jsonAnswer(201, releaseUploadResponseSchema, grant, NO_STORE);
};

/** `POST /targets/{name}/hooks` `{ name, release? }`: the secret is in this answer and nowhere else. */
export const createHook: UploadHookEndpoint = async (deps, event) => {
  const target = pathParam(event, 'name');
  const request = parseWith(deployHookCreateRequestSchema, requireJsonBody(event, '{ "name", "release"? }'), 'deploy hook');
  const { hook, secret } = await createDeployHook(deps, { target, ...request });
  const { lastUsedAt: _unused, ...view } = hookView(hook);
  return jsonAnswer(201, deployHookCreatedSchema, { ...view, url: hookPath(hook.id), secret }, { ...NO_STORE, Location: hookPath(hook.id) });
};

/** `GET /targets/{name}/hooks`: live hooks, newest first, without secrets. */
export const listHooks: UploadHookEndpoint = async (deps, event) => {
  const hooks = await listDeployHooks(deps, pathParam(event, 'name'));
  return jsonAnswer(200, deployHookListSchema, { hooks: hooks.map(hookView) });
};

/** `DELETE /targets/{name}/hooks/{hookId}`. */
export const revokeHook: UploadHookEndpoint = async (deps, event) => {
  await revokeDeployHook(deps, pathParam(event, 'name'), pathParam(event, 'hookId'));
  return { statusCode: 204 };
};

/** `POST /hooks/{hookId}` with `X-Slipway-Hook-Secret`: deploys; the one route without IAM auth. */
export const callHook: UploadHookEndpoint = async (deps, event) => {
  const hookId = pathParam(event, 'hookId');
  const request = parseWith(deployHookCallRequestSchema, readJsonBody(event) ?? {}, 'deploy hook call');
  const deployment = await callDeployHook(deps, {
    hookId,
    secret: event.headers?.[HOOK_SECRET_HEADER],
    ...(request.release ? { release: request.release } : {}),
  });
  return acceptedDeployment(deployment);
};
