import { UnhealthyReleaseError } from '../../domain/errors.js';
import { fileOfUrlPath, manifestKey } from '../../domain/site/layout.js';
import { manifestSchema } from '../../domain/site/manifest.js';
import type { SiteTarget } from '../../domain/target.js';
import type { Cdn, HealthSignals, ProbeResult } from '../../ports/index.js';
import type { SiteStore } from '../../ports/site.js';
import { awaitSiteInvalidation } from '../site/await-invalidation.js';
import { requireTarget, type WorkflowState } from './state.js';

export interface CheckHealthDeps {
  health: HealthSignals;
  /** Sites: health is judged once the switch's invalidation completed, not on cached content. */
  cdn: Pick<Cdn, 'isInvalidationComplete'>;
  /** Sites: the release's manifest, to check the probe was served the new release's bytes. */
  sites: Pick<SiteStore, 'readJson'>;
}

/**
 * One health check during a bake: any configured alarm in ALARM or a failing probe ends the
 * deployment (the state machine catches the error and rolls back). Runs after a Wait state, so
 * no Lambda ever sleeps through a bake.
 */
export async function checkHealth(deps: CheckHealthDeps, input: WorkflowState): Promise<WorkflowState> {
  const target = requireTarget(input);
  const verify = input.verify ?? { next: 'bake' as const, waitSeconds: 0, remainingChecks: 1 };
  let state = input;
  if (target.kind === 'site' && state.invalidation && !state.invalidation.complete) {
    state = await awaitSiteInvalidation(deps.cdn, target, state);
    if (!state.invalidation?.complete) return { ...state, verify: { ...verify, next: 'bake' } };
  }
  const { alarms, probe } = target.health;

  const [firing, probed] = await Promise.all([
    alarms.length > 0 ? deps.health.alarmsFiring(alarms) : Promise.resolve([]),
    probe ? deps.health.probe(probe) : Promise.resolve<ProbeResult>({}),
  ]);
  if (firing.length > 0) {
    throw new UnhealthyReleaseError(`alarm ${firing.map((a) => `"${a}"`).join(', ')} went to ALARM during the bake`);
  }
  if (probed.failure) throw new UnhealthyReleaseError(probed.failure);
  if (target.kind === 'site' && probe && probed.bodySha256 && state.site) {
    await expectNewRelease(deps, target, state.site.release, probe.url, probed.bodySha256);
  }

  const remainingChecks = verify.remainingChecks - 1;
  if (remainingChecks > 0) return { ...state, verify: { ...verify, next: 'bake', remainingChecks } };
  const stepIndex = state.stepIndex ?? 0;
  const last = stepIndex >= (state.steps?.length ?? 1) - 1;
  return last
    ? { ...state, verify: { ...verify, next: 'done', remainingChecks } }
    : { ...state, stepIndex: stepIndex + 1, verify: { ...verify, next: 'shift', remainingChecks } };
}

/**
 * When the probe URL is a page of the site (its path is a file of the new release), the bytes it
 * was served must be that file's: anything else means viewers still get another release.
 */
async function expectNewRelease(deps: CheckHealthDeps, target: SiteTarget, release: string, url: string, bodySha256: string): Promise<void> {
  const parsed = manifestSchema.safeParse(await deps.sites.readJson(target.site.bucket, manifestKey(target, release)));
  if (!parsed.success) return;
  const file = fileOfUrlPath(new URL(url).pathname);
  const expected = file === undefined ? undefined : parsed.data.files[file];
  if (expected && expected.sha256 !== bodySha256) {
    throw new UnhealthyReleaseError(
      `probe ${url} was served other bytes than release ${release}'s ${file} (sha256 ${bodySha256.slice(0, 12)}…, expected ${expected.sha256.slice(0, 12)}…): viewers are not getting the new release`,
    );
  }
}
