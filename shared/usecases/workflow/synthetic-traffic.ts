/**
 * One tick's batch of synthetic traffic (docs/analysis.md § Synthetic traffic): the canary version
 * invoked directly, by its qualified ARN, a bounded number of times with bounded concurrency, each
 * invocation with a short timeout, so that CheckHealth ends well within its own. Only during a step
 * judged on evidence (CheckHealth decides), only against the canary version.
 */
import {
  addToTally,
  classifyAnswer,
  SYNTHETIC_CONCURRENCY,
  syntheticBatch,
  type SyntheticResult,
  type SyntheticTally,
} from '../../domain/analysis/synthetic.js';
import type { Deployment } from '../../domain/deployment.js';
import { MissingResourceError } from '../../domain/errors.js';
import type { FunctionTarget } from '../../domain/target.js';
import type { SyntheticInvoker } from '../../ports/index.js';

export interface SyntheticTrafficDeps {
  /** Invokes the canary version for health.synthetic; CheckHealth of a target without it never calls it. */
  synthetic?: SyntheticInvoker;
}

/**
 * Sends the batch due after `waitSeconds` of bake and returns the step's tally with its results.
 * A target without health.synthetic sends nothing and gets the tally back as it was.
 */
export async function sendSyntheticBatch(
  deps: SyntheticTrafficDeps,
  target: FunctionTarget,
  deployment: Pick<Deployment, 'id' | 'fromVersion' | 'toVersion'>,
  tick: { waitSeconds: number; tally?: SyntheticTally },
): Promise<SyntheticTally | undefined> {
  const config = target.health.synthetic;
  if (!config) return tick.tally;
  if (!deps.synthetic) throw new MissingResourceError('CheckHealth was built without a synthetic invoker, so health.synthetic cannot invoke the canary');
  const { fromVersion, toVersion } = deployment;
  if (!toVersion || !fromVersion) throw new Error(`deployment ${deployment.id} was not staged`);
  // Never the stable version: a deployment whose two versions are one has no canary to invoke.
  if (toVersion === fromVersion) return tick.tally;
  const batch = syntheticBatch(config, tick.waitSeconds, tick.tally?.carry);
  const invoker = deps.synthetic;
  const results: SyntheticResult[] = [];
  let next = 0;
  const worker = async () => {
    while (next < batch.size) {
      next += 1;
      results.push(classifyAnswer(await invoker.invoke(target.function.name, toVersion, config.event, config.timeoutMs), config.expect));
    }
  };
  await Promise.all(Array.from({ length: Math.min(SYNTHETIC_CONCURRENCY, batch.size) }, worker));
  return addToTally(tick.tally, results, batch.carry);
}
