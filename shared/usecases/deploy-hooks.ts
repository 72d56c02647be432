/**
 * Deploy hooks: create, list, revoke, and the call itself (`POST /hooks/{id}` with the secret),
 * which deploys a release through the same use case as `POST /deployments`.
 */
import { parseReleaseKey } from '../domain/artifact-key.js';
import type { Deployment } from '../domain/deployment.js';
import {
  DEPLOY_HOOK_ID,
  DeployHookNotFoundError,
  HookSecretRejectedError,
  RateLimitedError,
  hashHookSecret,
  hookSecretMatches,
  newHookId,
  newHookSecret,
  type DeployHook,
} from '../domain/deploy-hook.js';
import { ConflictError, TargetNotFoundError } from '../domain/errors.js';
import type { Clock } from '../ports/index.js';
import type { DeployHookStore, RateWindow, ReleaseObject, ReleaseUploads } from '../ports/uploads-hooks.js';
import { deployRelease, type DeployDeps } from './deployments.js';

export interface DeployHookDeps extends DeployDeps {
  deployHooks: DeployHookStore;
  uploads: Pick<ReleaseUploads, 'listObjects'>;
  clock: Clock;
  hookRate: RateWindow;
}

export async function createDeployHook(
  deps: Pick<DeployHookDeps, 'targets' | 'deployHooks' | 'clock'>,
  request: { target: string; name: string; release?: string },
): Promise<{ hook: DeployHook; secret: string }> {
  if (!(await deps.targets.get(request.target))) throw new TargetNotFoundError(request.target);
  const secret = newHookSecret();
  const hook: DeployHook = {
    id: newHookId(),
    target: request.target,
    name: request.name,
    ...(request.release ? { release: request.release } : {}),
    secretSha256: hashHookSecret(secret),
    createdAt: deps.clock.now().toISOString(),
  };
  await deps.deployHooks.create(hook);
  return { hook, secret };
}

export async function listDeployHooks(deps: Pick<DeployHookDeps, 'targets' | 'deployHooks'>, target: string): Promise<DeployHook[]> {
  if (!(await deps.targets.get(target))) throw new TargetNotFoundError(target);
  return deps.deployHooks.listByTarget(target);
}

export async function revokeDeployHook(deps: Pick<DeployHookDeps, 'targets' | 'deployHooks' | 'clock'>, target: string, hookId: string): Promise<void> {
  if (!(await deps.targets.get(target))) throw new TargetNotFoundError(target);
  if (!DEPLOY_HOOK_ID.test(hookId) || !(await deps.deployHooks.revoke(target, hookId, deps.clock.now()))) {
    throw new DeployHookNotFoundError(hookId);
  }
}

/**
 * The release a hook call deploys when neither the call nor the hook names one: the object under
 * `releases/<target>/` modified last. S3 keeps LastModified to the second, so two uploads in the
 * same second cannot be told apart: rather than guess, the call is refused and asked to name one.
 */
export function newestRelease(target: string, objects: readonly ReleaseObject[]): string | undefined {
  const releases = objects
    .map((object) => ({ parsed: parseReleaseKey(object.key), at: object.lastModified.getTime() }))
    .filter((entry) => entry.parsed?.target === target)
    .sort((a, b) => b.at - a.at);
  const [newest, next] = releases;
  if (!newest) return undefined;
  if (next && next.at === newest.at) {
    throw new ConflictError(
      `releases "${newest.parsed!.release}" and "${next.parsed!.release}" of "${target}" were uploaded in the same second, so neither is the newest; name the release: { "release": "…" }`,
    );
  }
  return newest.parsed!.release;
}

/**
 * A hook call. The order matters: an unknown or revoked hook is a 404 before anything is counted;
 * every call of a live hook counts against its rate window before the secret is checked, so
 * guessing is as slow as deploying (someone holding only the hook id can make it answer 429, not
 * deploy: revoke it and create another); then the secret; then the deployment.
 */
export async function callDeployHook(deps: DeployHookDeps, request: { hookId: string; secret: string | undefined; release?: string }): Promise<Deployment> {
  if (!DEPLOY_HOOK_ID.test(request.hookId)) throw new DeployHookNotFoundError(request.hookId);
  const hook = await deps.deployHooks.get(request.hookId);
  if (!hook || hook.revokedAt) throw new DeployHookNotFoundError(request.hookId);

  const decision = await deps.deployHooks.countCall(hook.id, deps.clock.now(), deps.hookRate);
  if (!decision.allowed) throw new RateLimitedError(decision.retryAfterSeconds, deps.hookRate.limit, deps.hookRate.windowSeconds);

  if (!hookSecretMatches(request.secret, hook.secretSha256)) throw new HookSecretRejectedError();

  const release =
    request.release ?? hook.release ?? newestRelease(hook.target, await deps.uploads.listObjects(deps.artifactBucket, `releases/${hook.target}/`));
  if (!release) {
    throw new ConflictError(`no release of "${hook.target}" has been uploaded to s3://${deps.artifactBucket}/releases/${hook.target}/ yet; upload one first`);
  }
  const deployment = await deployRelease(deps, { target: hook.target, release, requestedBy: `hook:${hook.id}` });
  await deps.deployHooks.markUsed(hook.id, deps.clock.now());
  return deployment;
}
