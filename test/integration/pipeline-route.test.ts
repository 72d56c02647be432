import { beforeAll, describe, expect, it } from 'vitest';
import type { Deployment } from '../../shared/domain/deployment.js';
import { functionTargetSchema, parseWith } from '../../shared/domain/target.js';
import { pipelineViewSchema } from '../../shared/http/pipeline-schemas.js';
import { uniqueName } from '../support/aws-env.js';
import { apiCaller, type CallApi } from '../support/api-handler.js';
import { testRuntime } from '../support/runtime.js';
import { createWorld, type World } from '../support/workflow-harness.js';

let world: World;
let callApi: CallApi;
beforeAll(async () => {
  world = await createWorld();
  callApi = apiCaller(testRuntime({ orchestrator: { start: async () => undefined } }).api);
});

async function registered(name: string, promotion?: Record<string, unknown>): Promise<void> {
  await world.targets.put(parseWith(functionTargetSchema, { name, kind: 'function', function: { name }, ...(promotion ? { promotion } : {}) }, 'target'));
}

function record(target: string, release: string, minutesAgo: number, fields: Partial<Deployment> = {}): Deployment {
  const at = new Date(Date.now() - minutesAgo * 60_000).toISOString();
  return {
    id: uniqueName('d'),
    target,
    release,
    status: 'succeeded',
    trigger: 's3',
    requestedAt: at,
    startedAt: at,
    updatedAt: at,
    endedAt: at,
    trafficPercent: 100,
    sha256: 'a'.repeat(64),
    artifact: { bucket: world.bucket, key: `releases/${target}/${release}.zip` },
    timeline: [],
    ...fields,
  };
}

describe('GET /targets/{name}/pipeline', () => {
  it('answers the chain with what is live, what is eligible next and what waits for approval', async () => {
    // Prepare
    const dev = uniqueName('pl-dev').slice(0, 40);
    const prod = uniqueName('pl-prod').slice(0, 40);
    await registered(dev);
    await registered(prod, { from: dev, soakSeconds: 60, approval: 'required' });
    await world.deployments.create(record(dev, 'r1', 30, { configuration: { digest: 'b'.repeat(64), changes: [] } }));
    const waiting = record(prod, 'r1', 1, { status: 'waiting', endedAt: undefined, trigger: 'promotion', approval: { state: 'pending' }, requestedBy: 'ana' });
    await world.deployments.create(waiting);
    // Act
    const answer = await callApi('GET', `/targets/${prod}/pipeline`);
    // Assess
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const view = pipelineViewSchema.parse(answer.body);
    expect(view.environments.map((e) => [e.name, e.from])).toEqual([
      [dev, null],
      [prod, dev],
    ]);
    expect(view.environments[0]?.live).toMatchObject({ release: 'r1', sha256: 'a'.repeat(64), configDigest: 'b'.repeat(64) });
    expect(view.environments[1]?.next?.candidate).toMatchObject({ release: 'r1', state: 'eligible', alreadyLive: false });
    expect(view.environments[1]?.awaitingApproval).toEqual([{ id: waiting.id, release: 'r1', requestedBy: 'ana', requestedAt: waiting.requestedAt }]);
  });

  it('answers 404 for a target that is not registered', async () => {
    const answer = await callApi('GET', `/targets/${uniqueName('nope').slice(0, 40)}/pipeline`);
    expect(answer.status).toBe(404);
    expect(answer.body.type).toBe('https://slipway.dev/problems/not-found');
  });
});
