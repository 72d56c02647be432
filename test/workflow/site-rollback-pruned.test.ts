import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { zipFiles } from '../../dev/zip.js';
import { manifestKey } from '../../shared/domain/site/layout.js';
import { apiCaller, type CallApi } from '../support/api-handler.js';
import { testRuntime } from '../support/runtime.js';
import { createSiteTarget } from '../support/site-harness.js';
import { createWorld, finished, localOrchestrator, release, type World } from '../support/workflow-harness.js';

describe('Workflow: rolling a site back to a release that retention removed', () => {
  let world: World;
  let callApi: CallApi;
  beforeAll(async () => {
    world = await createWorld();
    // The api function signs as itself: the strict-AWS proxy evaluates its reads of the site
    // bucket against its packaged role, as S3 would (a missing key is a 403 without ListBucket).
    callApi = apiCaller(testRuntime({ orchestrator: { start: async () => undefined } }).api);
  });

  it('answers 409 naming the pruned release, not 500', async () => {
    // Prepare: r1 then r2 live, then r1's manifest gone as keepReleases would remove it.
    const target = await createSiteTarget(world);
    const orchestrator = localOrchestrator();
    for (const name of ['r1', 'r2']) {
      const { id } = await release(world, orchestrator, target.name, name, await zipFiles({ 'index.html': `<h1>${name}</h1>` }));
      expect((await finished(world, orchestrator, id)).status).toBe('succeeded');
    }
    await new S3Client({ forcePathStyle: true }).send(new DeleteObjectCommand({ Bucket: target.site.bucket, Key: manifestKey(target, 'r1') }));
    // Act
    const answer = await callApi('POST', `/targets/${target.name}/rollback`, { release: 'r1' });
    // Assess
    expect(answer.status, JSON.stringify(answer.body)).toBe(409);
    expect(answer.body.detail).toContain('r1');
    expect(answer.body.detail).toContain('keepReleases');
  });
});
