import { describe, expect, it } from 'vitest';
import { INTERRUPTED_ERROR, settleInterruptedDeployments, type SettleDeps } from '../../dev/interrupted.js';
import { isMotoServerOn } from '../../dev/ports.js';
import type { Deployment, DeploymentStatus } from '../../shared/domain/deployment.js';
import type { WorkflowState } from '../../shared/usecases/workflow/state.js';

function record(id: string, target: string, status: DeploymentStatus): Deployment {
  return { id, target, release: id, status, trafficPercent: 0, timeline: [] } as unknown as Deployment;
}

function world(records: Deployment[], locks: Record<string, string>) {
  const byId = new Map(records.map((d) => [d.id, d]));
  const rolledBack: WorkflowState[] = [];
  const lines: string[] = [];
  const deps: SettleDeps = {
    targets: { list: async () => [...new Set(records.map((d) => d.target))].map((name) => ({ name }) as never) },
    deployments: {
      get: async (id) => byId.get(id),
      // Newest first, as the store answers.
      listByTarget: async (target) => records.filter((d) => d.target === target).reverse(),
    },
    locks: {
      holder: async (target) => locks[target],
      release: async (target, id) => {
        if (locks[target] === id) delete locks[target];
      },
    },
    rollback: async (state) => {
      rolledBack.push(state);
      const d = byId.get(state.deploymentId)!;
      byId.set(d.id, { ...d, status: 'rolled_back', reason: `${state.error?.Error}: ${state.error?.Cause}; alias restored to version 1` });
      if (locks[d.target] === d.id) delete locks[d.target];
    },
    log: (line) => lines.push(line),
  };
  return { deps, rolledBack, lines, locks };
}

describe('settleInterruptedDeployments', () => {
  it('rolls back every unfinished deployment, oldest first, with the interrupted error, and leaves final ones alone', async () => {
    // Prepare
    const { deps, rolledBack, lines } = world(
      [record('d-1', 'hello', 'succeeded'), record('d-2', 'hello', 'shifting'), record('d-3', 'hello', 'queued'), record('d-4', 'www', 'failed')],
      { hello: 'd-2' },
    );
    // Act
    const settled = await settleInterruptedDeployments(deps);
    // Assess
    expect(rolledBack).toEqual([
      { deploymentId: 'd-2', error: INTERRUPTED_ERROR },
      { deploymentId: 'd-3', error: INTERRUPTED_ERROR },
    ]);
    expect(settled.map((d) => [d.id, d.status])).toEqual([
      ['d-2', 'rolled_back'],
      ['d-3', 'rolled_back'],
    ]);
    expect(settled[0]?.reason).toBe(
      'interrupted: slipway dev stopped while this deployment was running; rolled back at the next start; alias restored to version 1',
    );
    expect(lines[0]).toBe(`slipway dev: hello d-2 (d-2) was shifting when slipway dev last stopped: rolled_back: ${settled[0]?.reason}`);
  });

  it('releases a lock held by a deployment that already ended or has no record', async () => {
    // Prepare
    const locks: Record<string, string> = { hello: 'd-1', www: 'd-gone' };
    const { deps } = world([record('d-1', 'hello', 'succeeded'), record('d-4', 'www', 'failed')], locks);
    // Act
    await settleInterruptedDeployments(deps);
    // Assess
    expect(locks).toEqual({});
  });

  it('goes on with the others when one rollback fails, and says what to do', async () => {
    // Prepare
    const { deps, lines } = world([record('d-1', 'hello', 'shifting'), record('d-2', 'www', 'staging')], {});
    const rollback = deps.rollback;
    deps.rollback = async (state) => (state.deploymentId === 'd-1' ? Promise.reject(new Error('alias conflict')) : rollback(state));
    // Act
    const settled = await settleInterruptedDeployments(deps);
    // Assess
    expect(settled.map((d) => d.id)).toEqual(['d-2']);
    expect(lines[0]).toBe(
      'slipway dev: could not settle hello d-1 (d-1), left shifting when slipway dev last stopped: alias conflict; restart slipway dev to try again',
    );
  });
});

describe('isMotoServerOn', () => {
  it.each([
    ['/root/.pyenv/versions/3.11.7/bin/python /root/.pyenv/versions/3.11.7/bin/moto_server -H 127.0.0.1 -p 47611', true],
    ['python3 -c <launcher> 812 /usr/local/bin/moto_server -H 127.0.0.1 -p 47611', true],
    ['moto_server --port=47611', true],
    ['/usr/bin/python /usr/bin/moto_server -H 127.0.0.1 -p 476110', false],
    ['/usr/bin/python /usr/bin/moto_server -H 127.0.0.1 -p 47612', false],
    ['node server.js -p 47611 moto_server_like', false],
    ['python3 -m http.server 47611', false],
  ])('%s on 47611: %s', (command, expected) => {
    expect(isMotoServerOn(command, 47611)).toBe(expected);
  });
});
