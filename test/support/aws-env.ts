import { relative } from 'node:path';
import { expect, inject } from 'vitest';
import { CONTROL_PREFIX } from './strict-aws/proxy.js';

/**
 * Points the SDK's standard configuration chain at the run's AWS endpoint: the strict-AWS proxy in
 * front of moto_server (test/support/strict-aws). Domain code never sees an endpoint:
 * AWS_ENDPOINT_URL is all it takes. The SDK's app id names the test file in every request's user
 * agent, so the proxy's report says which test made a denied request.
 */
export function useMoto(): string {
  const endpoint = inject('motoEndpoint');
  process.env.AWS_ENDPOINT_URL = endpoint;
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'testing';
  process.env.AWS_SECRET_ACCESS_KEY = 'testing';
  const tag = testFileTag();
  if (tag) process.env.AWS_SDK_UA_APP_ID = tag;
  delete process.env.AWS_PROFILE;
  return endpoint;
}

/** `test/workflow/site-release.test.ts` -> `workflow.site-release` (a user-agent token, ≤ 50 chars). */
export function testFileTag(): string | undefined {
  const path = expect.getState().testPath;
  if (!path) return undefined;
  const tag = relative(`${process.cwd()}/test`, path)
    .replace(/\.test\.ts$/, '')
    .replace(/[^A-Za-z0-9._-]+/g, '.');
  return tag.slice(-50);
}

/**
 * Tells the proxy that `bucket` is this world's artifact bucket (the template's ArtifactBucket), so
 * the roles' artifact-bucket statements apply to it. Provisioning a bucket with notifications to a
 * queue registers it too.
 */
export async function registerArtifactBucket(bucket: string): Promise<void> {
  const res = await fetch(`${inject('motoEndpoint')}${CONTROL_PREFIX}artifact-buckets`, { method: 'POST', body: JSON.stringify({ bucket }) });
  if (!res.ok) throw new Error(`the strict-aws proxy refused to register ${bucket}: ${res.status} ${await res.text()}`);
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
