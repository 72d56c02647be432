import { beforeAll, describe, expect, it } from 'vitest';
import { createAliasedFunction } from '../../dev/provision.js';
import { functionPackage } from '../../dev/zip.js';
import { HOOK_REASON_MAX_BYTES } from '../../shared/usecases/workflow/run-hook.js';
import { uniqueName } from '../support/aws-env.js';
import { aliasOf, createFunctionTarget, createWorld, finished, localOrchestrator, release, type World } from '../support/workflow-harness.js';
import { nextHookAnswers } from '../support/hook-answers.js';

/** The emulator answers each hook's Invoke from its own queue of canned results (moto cannot run code here). */

/** A hook's answer of about 5 MB: within Lambda's 6 MB, twenty times Step Functions' 256 KiB. */
const FIVE_MB = 5 * 1024 * 1024;

describe('Workflow: hooks that answer megabytes', () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld();
  });

  /** Records the size of what each Task hands on (the harness fails any over 256 KiB). */
  function sizes() {
    const seen: { state: string; bytes: number; output: unknown }[] = [];
    const wrapTask = (state: string, _fn: string, run: (input: unknown) => Promise<unknown>) => async (input: unknown) => {
      const output = await run(input);
      seen.push({ state, bytes: Buffer.byteLength(JSON.stringify(output)), output });
      return output;
    };
    return { seen, wrapTask };
  }

  it('goes on after a hook that answers 5 MB, keeping only its status and 1 KiB of its reason', async () => {
    // Prepare
    const hook = uniqueName('big-hook');
    await createAliasedFunction(hook, await functionPackage('hook'));
    const target = await createFunctionTarget(world, { health: { preTraffic: hook } });
    await nextHookAnswers(hook, [JSON.stringify({ status: 'Succeeded', reason: 'r'.repeat(FIVE_MB), report: 'x'.repeat(1000) })]);
    const { seen, wrapTask } = sizes();
    const orchestrator = localOrchestrator({ wrapTask });
    // Act
    const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('v2'));
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status, record.reason).toBe('succeeded');
    expect((await aliasOf(world, target.function.name)).FunctionVersion).toBe('2');
    const hookOutput = seen.find((s) => s.state === 'PreTrafficHook')!;
    expect(hookOutput.bytes).toBeLessThanOrEqual(HOOK_REASON_MAX_BYTES + 64);
    expect(hookOutput.output).toEqual({ status: 'Succeeded', reason: expect.stringMatching(/^r+…$/) });
    expect(Math.max(...seen.map((s) => s.bytes))).toBeLessThan(16 * 1024);
  });

  it('fails a release whose hook fails with a 5 MB reason, with a bounded reason in the state and the record', async () => {
    // Prepare
    const hook = uniqueName('big-fail');
    await createAliasedFunction(hook, await functionPackage('hook'));
    const target = await createFunctionTarget(world, { health: { preTraffic: hook } });
    await nextHookAnswers(hook, [JSON.stringify({ status: 'Failed', reason: `smoke test failed: ${'e'.repeat(FIVE_MB)}` })]);
    const orchestrator = localOrchestrator();
    // Act
    const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('v2'));
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status, record.reason).toBe('failed');
    expect(record.reason).toContain('smoke test failed');
    expect(record.reason).toContain('no traffic was moved');
    expect(Buffer.byteLength(record.reason!)).toBeLessThan(8 * 1024);
    expect((await aliasOf(world, target.function.name)).FunctionVersion).toBe('1');
  });
});
