import { charge } from './wait-budget.js';
import { assertNotCancelled, describeCaller } from '../../domain/control.js';
import { DeploymentNotFoundError, UnhealthyReleaseError, WindowError } from '../../domain/errors.js';
import type { Deployment } from '../../domain/deployment.js';
import { fileOfUrlPath, manifestKey } from '../../domain/site/layout.js';
import { manifestSchema } from '../../domain/site/manifest.js';
import { alarmNames, type AppTarget, type FunctionTarget, type SiteTarget, type Target } from '../../domain/target.js';
import { judgeCanary } from './judge-canary.js';
import { sendSyntheticBatch, type SyntheticTrafficDeps } from './synthetic-traffic.js';
import type { Cdn, Clock, DeploymentStore, HealthSignals, ProbeResult, TargetStore, VersionMetrics } from '../../ports/index.js';
import type { SiteStore } from '../../ports/site.js';
import { awaitSiteInvalidation } from '../site/await-invalidation.js';
import { siteCanaryOf } from '../site/canary.js';
import { signalSources, siteOf, unionHealth } from '../../domain/app.js';
import { hasHealthSignals } from './shift-traffic.js';
import { requireTarget, type WorkflowState } from './state.js';
import { windowClosed } from './window-gate.js';

export interface CheckHealthDeps extends SyntheticTrafficDeps {
  /** The record: a cancel ends the bake (CancelledError), a promote skips the rest of it. */
  deployments: DeploymentStore;
  health: HealthSignals;
  /** Sites: health is judged once the switch's invalidation completed, not on cached content. */
  cdn: Pick<Cdn, 'isInvalidationComplete'>;
  /** Sites: the release's manifest, to check the probe was served the new release's bytes. */
  sites: Pick<SiteStore, 'readJson'>;
  /** Read before each traffic step, so a window changed or a freeze added mid-rollout counts. */
  targets?: Pick<TargetStore, 'get'>;
  /** Version-scoped evidence for a target's health.analysis (docs/analysis.md). */
  versionMetrics?: VersionMetrics;
  /** The longest one paused tick waits (onClose "pause"); SLIPWAY_WINDOW_CHECK_SECONDS. */
  pauseCheckSeconds?: number;
  clock: Clock;
}

/**
 * One tick of a bake, after a Wait state (no Lambda ever sleeps through a bake). Every tick looks
 * at the record: a cancel ends the deployment (CancelledError; the Rollback step undoes the shift),
 * a promote skips the rest of the bake and sends traffic straight to 100%. Every `healthEvery`-th
 * tick, the last one and a promoted one check the health signals: any configured alarm in ALARM or
 * a failing probe ends the deployment (the state machine catches the error and rolls back).
 */
export async function checkHealth(deps: CheckHealthDeps, input: WorkflowState): Promise<WorkflowState> {
  const target = requireTarget(input);
  let verify: NonNullable<WorkflowState['verify']> = input.verify ?? { next: 'bake' as const, waitSeconds: 0, remainingChecks: 1 };
  const deployment = await deps.deployments.get(input.deploymentId);
  if (!deployment) throw new DeploymentNotFoundError(input.deploymentId);
  assertNotCancelled(deployment);
  let state = input;
  const site = siteOf(target);
  if (site && state.invalidation && !state.invalidation.complete) {
    state = await awaitSiteInvalidation(deps.cdn, site, state);
    if (!state.invalidation?.complete) return { ...state, verify: { ...verify, next: 'bake' } };
  }

  const remainingChecks = verify.remainingChecks - 1;
  const promoted = Boolean(deployment.promotedAt);
  const sinceHealth = (verify.sinceHealth ?? 0) + 1;
  const healthDue = promoted || remainingChecks <= 0 || sinceHealth >= (verify.healthEvery ?? 1);
  let checks = verify.checks ?? 0;
  // A step judged on evidence sends its synthetic traffic every tick, alongside the signals (never once promoted).
  const analysis = verify.analysis;
  const synthetic =
    analysis && target.kind === 'function' && target.health.synthetic && !promoted
      ? sendSyntheticBatch(deps, target, deployment, { waitSeconds: verify.waitSeconds, ...(analysis.synthetic ? { tally: analysis.synthetic } : {}) })
      : undefined;
  if (healthDue && hasHealthSignals(target.kind === 'app' ? { health: unionHealth(target) } : target)) {
    await Promise.all([target.kind === 'app' ? checkAppSignals(deps, target) : checkSignals(deps, target, state), synthetic]);
    checks += 1;
  }
  const tally = await synthetic;
  if (analysis && tally) verify = { ...verify, analysis: { ...analysis, synthetic: tally } };
  const stepIndex = state.stepIndex ?? 0;
  const lastIndex = (state.steps?.length ?? 1) - 1;
  const percent = state.steps?.[stepIndex]?.percent ?? deployment.trafficPercent;

  // A step judged on evidence: a pass ends the bake once its minimum is over; a fail has thrown.
  let bakeLeft = remainingChecks;
  if (healthDue && verify.analysis && target.kind === 'function' && !promoted) {
    const step = { analysis: verify.analysis, percent, ...(deployment.bakeEndsAt ? { bakeEndsAt: deployment.bakeEndsAt } : {}) };
    const check = await judgeCanary(deps, target, deployment, step);
    const outcome = check.verdict.outcome;
    if (outcome === 'pass' && check.minimumBaked && verify.analysis.held !== 'pause') bakeLeft = 0;
    else if (remainingChecks <= 0) {
      return holdOnEvidence(deps, target, deployment, state, verify, { percent, why: check.verdict.why });
    }
  }

  if (promoted) {
    await deps.deployments.update(
      deployment.id,
      {},
      {
        step: 'promote',
        trafficPercent: percent,
        message: `bake at ${percent}% skipped (about ${Math.max(0, remainingChecks) * verify.waitSeconds}s of it left)${stepIndex < lastIndex ? '; shifting all traffic' : ''}: promoted by ${describeCaller(deployment.promotedBy)}${deployment.promoteReason ? `: ${deployment.promoteReason}` : ''}`,
        ...(deployment.promotedBy ? { requestedBy: deployment.promotedBy } : {}),
        ...(deployment.promoteReason ? { reason: deployment.promoteReason } : {}),
        ...(checks > 0 ? { health: 'passed' as const } : {}),
      },
    );
    const next = { ...verify, remainingChecks: 0, sinceHealth: 0, checks };
    return stepIndex >= lastIndex ? { ...state, verify: { ...next, next: 'done' } } : { ...state, stepIndex: lastIndex, verify: { ...next, next: 'shift' } };
  }

  if (bakeLeft > 0) {
    return { ...state, verify: { ...verify, next: 'bake', remainingChecks, sinceHealth: healthDue ? 0 : sinceHealth, checks } };
  }
  if (stepIndex < lastIndex) {
    // Before the next traffic step: has the deploy window closed meanwhile?
    const held = await onWindowClosed(deps, deployment, (await deps.targets?.get(deployment.target)) ?? target, percent);
    // A paused tick is a bake tick like any other: it is charged to the execution's wait budget.
    if (held) {
      return {
        ...state,
        waits: charge(state.waits, 'bake'),
        verify: { ...verify, next: 'bake', remainingChecks: 1, healthEvery: 1, sinceHealth: 0, checks, waitSeconds: held.waitSeconds },
      };
    }
  }
  await deps.deployments.update(
    deployment.id,
    {},
    {
      step: 'verify',
      trafficPercent: percent,
      message: verify.analysis
        ? `verified at ${percent}% on the canary's evidence after ${checks} check(s)`
        : checks > 0
          ? `verified at ${percent}%: ${checks} health check(s) passed`
          : `baked at ${percent}% (no health signals configured)`,
      ...(checks > 0 ? { health: 'passed' as const } : {}),
    },
  );
  const { analysis: _judged, ...rest } = verify;
  const done = { ...rest, remainingChecks: Math.min(0, remainingChecks), sinceHealth: 0, checks };
  return stepIndex >= lastIndex ? { ...state, verify: { ...done, next: 'done' } } : { ...state, stepIndex: stepIndex + 1, verify: { ...done, next: 'shift' } };
}

/** Ticks a step judged on evidence is held (pause) or extended after its maxBakeSeconds, at most. */
export const MAX_HELD_TICKS = 200;

/**
 * The evidence stayed inconclusive through maxBakeSeconds: `rollback` ends the deployment,
 * `pause` holds the split until someone promotes or cancels, `extend` bakes on, judging every
 * tick, until a verdict; both for at most MAX_HELD_TICKS ticks, then the deployment ends.
 */
async function holdOnEvidence(
  deps: CheckHealthDeps,
  target: FunctionTarget,
  deployment: Deployment,
  state: WorkflowState,
  verify: NonNullable<WorkflowState['verify']>,
  found: { percent: number; why: string },
): Promise<WorkflowState> {
  const analysis = verify.analysis as NonNullable<typeof verify.analysis>;
  const policy = target.health.analysis?.onInconclusive ?? 'rollback';
  const maxBake = target.health.analysis?.maxBakeSeconds ?? 0;
  if (policy === 'rollback') {
    throw new UnhealthyReleaseError(`canary version ${deployment.toVersion} had no verdict after ${maxBake}s (${found.why}); onInconclusive is "rollback"`);
  }
  const heldTicks = (analysis.heldTicks ?? 0) + 1;
  const waitSeconds = Math.max(1, deps.pauseCheckSeconds ?? 60);
  if (heldTicks > MAX_HELD_TICKS) {
    throw new UnhealthyReleaseError(
      policy === 'pause'
        ? `canary version ${deployment.toVersion} was held at ${found.percent}% for about ${MAX_HELD_TICKS * waitSeconds}s with no verdict, and nobody promoted or cancelled it`
        : `canary version ${deployment.toVersion} still had no verdict after extending its bake by about ${MAX_HELD_TICKS * waitSeconds}s (${found.why})`,
    );
  }
  if (!analysis.held) {
    await deps.deployments.update(
      deployment.id,
      {},
      {
        step: 'verify',
        trafficPercent: found.percent,
        message:
          policy === 'pause'
            ? `no verdict after ${maxBake}s; onInconclusive is "pause": holding ${found.percent}% until someone promotes (npx slipway promote ${deployment.id}) or cancels it`
            : `no verdict after ${maxBake}s; onInconclusive is "extend": baking on until the evidence decides`,
      },
    );
  }
  return {
    ...state,
    waits: charge(state.waits, 'bake'),
    verify: { ...verify, next: 'bake', remainingChecks: 1, healthEvery: 1, sinceHealth: 0, waitSeconds, analysis: { ...analysis, held: policy, heldTicks } },
  };
}

/** Pause ticks per closed stretch at most, so a weekend's pause fits Step Functions' history. */
const PAUSE_TICK_BUDGET = 200;

/**
 * The target's `onClose` when its window closed mid-rollout: `finish` goes on (noted once),
 * `rollback` ends the deployment (WindowError; Rollback restores the old version), `pause` holds
 * the split: one more bake tick (health still checked) until the window reopens.
 */
async function onWindowClosed(deps: CheckHealthDeps, deployment: Deployment, target: Target, percent: number): Promise<{ waitSeconds: number } | undefined> {
  const now = deps.clock.now();
  const closed = windowClosed(deployment, target, now);
  if (!closed.closed) return undefined;
  const note = async (message: string) => {
    if (!deployment.timeline.some((e) => e.step === 'window' && e.message === message)) {
      await deps.deployments.update(deployment.id, {}, { step: 'window', trafficPercent: percent, message });
    }
  };
  if (closed.policy === 'rollback') {
    throw new WindowError(`the deploy window closed with ${percent}% of traffic moved (${closed.reason}); onClose is "rollback"`);
  }
  if (closed.policy === 'finish') {
    await note(`the deploy window closed (${closed.reason}); onClose is "finish": the rollout goes on`);
    return undefined;
  }
  const reopens = closed.reopensAt;
  await note(
    `the deploy window closed (${closed.reason}); onClose is "pause": holding ${percent}% until it reopens${reopens ? ` at ${reopens.toISOString()}` : ''}`,
  );
  const untilReopen = reopens ? Math.max(1, Math.ceil((reopens.getTime() - now.getTime()) / 1000)) : 3600;
  const base = Math.max(1, deps.pauseCheckSeconds ?? 60);
  return { waitSeconds: Math.min(untilReopen, Math.max(base, Math.ceil(untilReopen / PAUSE_TICK_BUDGET))) };
}

/** Throws UnhealthyReleaseError when an alarm fires or the probe fails (or a site's probe got another release). */
async function checkSignals(deps: CheckHealthDeps, target: Target, state: WorkflowState): Promise<void> {
  const { probe } = target.health;
  // Alarms that already fired when the deployment started, with `preexisting: "ignore"`, are left out (Stage).
  const ignored = new Set(state.ignoredAlarms ?? []);
  const alarms = alarmNames(target.health.alarms).filter((a) => !ignored.has(a));
  // During a site canary's bake a header-selected probe reaches the staging distribution; a weighted one may land on either.
  const canary = target.kind === 'site' && state.site?.canary && (state.stepIndex ?? 0) === 0 ? siteCanaryOf(target) : undefined;
  const canaryHeader = canary && 'header' in canary ? { [canary.header.name]: canary.header.value } : undefined;
  const [firing, probed] = await Promise.all([
    alarms.length > 0 ? deps.health.alarmsFiring(alarms) : Promise.resolve([]),
    probe ? deps.health.probe(canaryHeader ? { ...probe, headers: canaryHeader } : probe) : Promise.resolve<ProbeResult>({}),
  ]);
  if (firing.length > 0) {
    throw new UnhealthyReleaseError(`alarm ${firing.map((a) => `"${a}"`).join(', ')} went to ALARM during the bake`);
  }
  if (probed.failure) throw new UnhealthyReleaseError(probed.failure);
  const releaseChecked = !canary || Boolean(canaryHeader);
  if (target.kind === 'site' && probe && releaseChecked && (probed.bodySha256 || probed.truncated) && state.site) {
    await expectNewRelease(deps, target, state.site.version ?? state.site.release, probe.url, probed);
  }
}

/**
 * One verdict for an app (docs/apps.md): the app's and every component's alarms in one look, and
 * every probe; the first failure names the component it belongs to (or the app).
 */
async function checkAppSignals(deps: CheckHealthDeps, app: AppTarget): Promise<void> {
  const sources = signalSources(app);
  const alarms = [...new Set(sources.flatMap((s) => s.alarms))];
  const probes = sources.flatMap((s) => (s.probe ? [{ source: s, probe: s.probe }] : []));
  const [firing, probed] = await Promise.all([
    alarms.length > 0 ? deps.health.alarmsFiring(alarms) : Promise.resolve<string[]>([]),
    Promise.all(probes.map(async ({ source, probe }) => ({ source, result: await deps.health.probe(probe) }))),
  ]);
  const owner = (s: { component?: string }) => (s.component ? `component "${s.component}"` : `app "${app.name}"`);
  for (const source of sources) {
    const mine = source.alarms.filter((a) => firing.includes(a));
    if (mine.length > 0) {
      throw new UnhealthyReleaseError(`alarm ${mine.map((a) => `"${a}"`).join(', ')} of ${owner(source)} went to ALARM during the bake`);
    }
  }
  const failed = probed.find((p) => p.result.failure);
  if (failed) throw new UnhealthyReleaseError(`the probe of ${owner(failed.source)} failed: ${failed.result.failure}`);
}

/**
 * When the probe URL is a page of the site (its path is a file of the new release), the bytes it
 * was served must be that file's: anything else means viewers still get another release. The probe
 * reads a capped body: a longer answer is compared by size only (a file within the cap was served
 * more bytes than it has), and a file longer than the cap cannot be checked by its bytes.
 */
async function expectNewRelease(deps: CheckHealthDeps, target: SiteTarget, release: string, url: string, probed: ProbeResult): Promise<void> {
  const parsed = manifestSchema.safeParse(await deps.sites.readJson(target.site.bucket, manifestKey(target, release)));
  if (!parsed.success) return;
  const file = fileOfUrlPath(new URL(url).pathname);
  const expected = file === undefined ? undefined : parsed.data.files[file];
  if (!expected) return;
  if (probed.truncated) {
    if (probed.bodyBytes !== undefined && expected.size <= probed.bodyBytes) {
      throw new UnhealthyReleaseError(
        `probe ${url} was served more than ${probed.bodyBytes} bytes, while release ${release}'s ${file} has ${expected.size}: viewers are not getting the new release`,
      );
    }
    return;
  }
  if (probed.bodySha256 && expected.sha256 !== probed.bodySha256) {
    throw new UnhealthyReleaseError(
      `probe ${url} was served other bytes than release ${release}'s ${file} (sha256 ${probed.bodySha256.slice(0, 12)}…, expected ${expected.sha256.slice(0, 12)}…): viewers are not getting the new release`,
    );
  }
}
