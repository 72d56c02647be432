/**
 * PUT /targets/{name} with a configuration change, through the API's Lambda handler against moto:
 * the DynamoDB stores hold the target and the records; the orchestrator only records what it was
 * asked to start, so each record stays as the API left it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Deployment } from '../../shared/domain/deployment.js';
import { targetAppliedSchema } from '../../shared/http/schemas.js';
import { uniqueName } from '../support/aws-env.js';
import { apiCaller, type CallApi } from '../support/api-handler.js';
import { testRuntime } from '../support/runtime.js';
import { createWorld, type World } from '../support/workflow-harness.js';

let world: World;
const started: string[] = [];
let callApi: CallApi;

beforeAll(async () => {
  world = await createWorld();
  callApi = apiCaller(testRuntime({ orchestrator: { start: async (id) => void started.push(id) } }).api);
});

const SHA = 'ef'.repeat(32);

const fn = (name: string, environment: Record<string, unknown>) => ({ kind: 'function', function: { name }, configuration: { environment } });

/** A target registered with a configuration, and (when `live`) a release slipway took live. */
async function registered(live: boolean): Promise<{ name: string; release?: Deployment }> {
  const name = uniqueName('cfg').slice(0, 40);
  expect((await callApi('PUT', `/targets/${name}`, fn(name, { LOG_LEVEL: 'info', API_KEY: { secret: 'prod/api-v1' } }))).status).toBe(200);
  if (!live) return { name };
  const at = new Date(Date.now() - 60_000).toISOString();
  const { deployment } = await world.deployments.create({
    id: `d-${uniqueName('live')}`,
    target: name,
    release: 'r1',
    status: 'succeeded',
    trigger: 's3',
    artifact: { bucket: 'slipway-artifacts', key: `releases/${name}/r1.zip`, versionId: 'v-1' },
    sha256: SHA,
    requestedAt: at,
    startedAt: at,
    updatedAt: at,
    endedAt: at,
    fromVersion: '1',
    toVersion: '2',
    trafficPercent: 100,
    timeline: [],
  });
  return { name, release: deployment };
}

describe('PUT /targets/{name} with a changed configuration', () => {
  it('answers 202 with the stored target and a config deployment of the live artifact, and records it', async () => {
    // Prepare
    const { name, release } = await registered(true);
    // Act
    const answer = await callApi('PUT', `/targets/${name}`, fn(name, { LOG_LEVEL: 'debug', API_KEY: { secret: 'prod/api-v2' } }));
    // Assess
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    const applied = targetAppliedSchema.parse(answer.body);
    expect(applied).toMatchObject({
      dryRun: false,
      deploys: true,
      release: 'r1',
      target: { name, configuration: { environment: { LOG_LEVEL: 'debug' } } },
      configurationChanges: [
        { key: 'API_KEY', change: 'changed', from: 'secret prod/api-v1', to: 'secret prod/api-v2' },
        { key: 'LOG_LEVEL', change: 'changed', from: '"info"', to: '"debug"' },
      ],
      deployment: { trigger: 'config', release: 'r1', status: 'queued', sha256: SHA },
    });
    const id = applied.deployment?.id ?? '';
    expect(answer.headers.location).toBe(`/deployments/${id}`);
    expect(started).toContain(id);
    const record = await world.deployments.get(id);
    expect(record).toMatchObject({ trigger: 'config', artifact: release?.artifact, sha256: SHA, requestedBy: expect.any(String) });
    expect(record?.timeline[0]?.message).toMatch(/^configuration changed: changed API_KEY, LOG_LEVEL; deploying the live release r1/);
  });

  it('starts nothing when the same configuration is saved again', async () => {
    // Prepare
    const { name } = await registered(true);
    const before = started.length;
    // Act
    const answer = await callApi('PUT', `/targets/${name}`, fn(name, { API_KEY: { secret: 'prod/api-v1' }, LOG_LEVEL: 'info' }));
    // Assess
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ deploys: false, deployment: null, configurationChanges: [] });
    expect(started.length).toBe(before);
    expect(await world.deployments.listByTarget(name)).toHaveLength(1);
  });

  it('stores the configuration and starts nothing without a live release, saying the next release carries it', async () => {
    // Prepare
    const { name } = await registered(false);
    // Act
    const answer = await callApi('PUT', `/targets/${name}`, fn(name, { LOG_LEVEL: 'debug' }));
    // Assess
    expect(answer.status).toBe(200);
    expect(answer.body.why).toContain('its next release carries it');
    expect((await callApi('GET', `/targets/${name}`)).body.configuration).toEqual({ environment: { LOG_LEVEL: 'debug' } });
    expect(await world.deployments.listByTarget(name)).toEqual([]);
  });

  it('with ?dryRun=true says a deployment would start, and stores and starts nothing', async () => {
    // Prepare
    const { name } = await registered(true);
    // Act
    const answer = await callApi('PUT', `/targets/${name}?dryRun=true`, fn(name, { LOG_LEVEL: 'debug' }));
    // Assess
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ dryRun: true, deploys: true, release: 'r1', deployment: null });
    expect(answer.body.configurationChanges).toEqual([
      { key: 'API_KEY', change: 'removed', from: 'secret prod/api-v1' },
      { key: 'LOG_LEVEL', change: 'changed', from: '"info"', to: '"debug"' },
    ]);
    expect((await callApi('GET', `/targets/${name}`)).body.configuration.environment.LOG_LEVEL).toBe('info');
    expect(await world.deployments.listByTarget(name)).toHaveLength(1);
  });

  it('refuses a dryRun that is not true or false, naming the query field', async () => {
    // Prepare
    const name = uniqueName('cfg').slice(0, 40);
    // Act
    const answer = await callApi('PUT', `/targets/${name}?dryRun=yes`, fn(name, {}));
    // Assess
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toContainEqual({ path: 'query.dryRun', message: expect.any(String) });
    expect((await callApi('GET', `/targets/${name}`)).status).toBe(404);
  });
});

describe('PUT /targets/{name} claiming what another target deploys', () => {
  it('answers 409 naming the owner and its component, and leaves the stored targets as they were', async () => {
    // Prepare
    const app = uniqueName('app').slice(0, 40);
    const api = `${app}-api`;
    const distributionId = `E${Date.now().toString(36).toUpperCase()}`;
    const shop = {
      kind: 'app',
      components: { api: { function: { name: api } }, web: { site: { bucket: 'shop-web-origin', distributionId } } },
    };
    expect((await callApi('PUT', `/targets/${app}`, shop)).status).toBe(200);
    const before = await callApi('GET', '/targets');
    const intruder = uniqueName('fn').slice(0, 40);
    // Act
    const answer = await callApi('PUT', `/targets/${intruder}`, {
      kind: 'function',
      function: { name: `arn:aws:lambda:us-east-1:123456789012:function:${api}` },
    });
    const site = await callApi('PUT', `/targets/${intruder}`, { kind: 'site', site: { bucket: 'elsewhere', distributionId } });
    const again = await callApi('PUT', `/targets/${app}`, shop);
    // Assess
    expect(answer.status).toBe(409);
    expect(answer.body.detail).toBe(
      `target "${intruder}" cannot be saved: function ${api} already belongs to target "${app}" as its component "api"; ` +
        `a function or site belongs to one target only: remove it from "${app}" first, or release it through that target`,
    );
    expect(site.status).toBe(409);
    expect(site.body.detail).toContain(`the site on distribution ${distributionId} already belongs to target "${app}" as its component "web"`);
    expect(again.status).toBe(200);
    expect((await callApi('GET', `/targets/${intruder}`)).status).toBe(404);
    expect((await callApi('GET', '/targets')).body).toEqual(before.body);
  });
});
