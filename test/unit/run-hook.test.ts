import { describe, expect, it } from 'vitest';
import { HookFailedError } from '../../shared/domain/errors.js';
import type { DeploymentStore, HookInvoker } from '../../shared/ports/index.js';
import { HOOK_REASON_MAX_BYTES, runHook, summarizeHookAnswer, truncateUtf8 } from '../../shared/usecases/workflow/run-hook.js';
import type { WorkflowState } from '../../shared/usecases/workflow/state.js';

describe('Function: summarizeHookAnswer', () => {
  it('keeps the status and at most 1 KiB of the reason, never the rest of the answer', () => {
    // Act
    const summary = summarizeHookAnswer({ status: 'Succeeded', reason: 'é'.repeat(4000), report: 'x'.repeat(100_000) });
    // Assess
    expect(Object.keys(summary)).toEqual(['status', 'reason']);
    expect(Buffer.byteLength(summary.reason!)).toBeLessThanOrEqual(HOOK_REASON_MAX_BYTES);
    expect(summary.reason).toMatch(/^é+…$/);
  });

  it.each([[null], ['plain text'], [[1, 2]], [{ status: 42 }]])('calls an answer without a status string (%j) Succeeded', (answer) => {
    expect(summarizeHookAnswer(answer)).toEqual({ status: 'Succeeded' });
  });
});

describe('Function: truncateUtf8', () => {
  it('cuts between characters, the ellipsis included in the budget', () => {
    expect(truncateUtf8('short', 10)).toBe('short');
    const cut = truncateUtf8('😀'.repeat(10), 10);
    expect(cut).toBe('😀…');
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(10);
  });
});

describe('Function: runHook', () => {
  const state = {
    deploymentId: 'd-1',
    target: { name: 'fn', kind: 'function', function: { name: 'fn', alias: 'live' }, health: { preTraffic: 'hook' } },
  } as unknown as WorkflowState;
  const deployments = { get: async () => ({ id: 'd-1', target: 'fn', release: 'r2' }), update: async () => undefined } as unknown as DeploymentStore;

  it('fails with at most 1 KiB of a hook failure of any length', async () => {
    // Prepare
    const hooks: HookInvoker = {
      invokeHook: async () => {
        throw new HookFailedError(`hook hook returned status Failed: ${'e'.repeat(5_000_000)}`);
      },
    };
    // Act
    const outcome = runHook({ deployments, hooks }, { phase: 'preTraffic', state });
    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'HookFailedError', message: expect.stringMatching(/^hook hook returned status Failed: e+…$/) });
    const error = await outcome.catch((e: Error) => e);
    expect(Buffer.byteLength((error as Error).message)).toBeLessThanOrEqual(HOOK_REASON_MAX_BYTES);
  });

  it('returns the summary of a passing hook', async () => {
    const hooks: HookInvoker = { invokeHook: async () => ({ status: 'Succeeded', payload: 'x'.repeat(1_000_000) }) };
    expect(await runHook({ deployments, hooks }, { phase: 'preTraffic', state })).toEqual({ status: 'Succeeded' });
  });
});
