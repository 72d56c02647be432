/**
 * What the deployment page shows, read from a deployment's record: its steps in order, traffic
 * over time, every health check with its evidence, the paths a site invalidated, the app's
 * components. Pure functions of the record, so the page and its tests agree.
 */
import type { Deployment, TimelineEntry } from '../types';
import { ACTIVE_STATUSES } from '../types';

/** The workflow's steps in the order a deployment goes through them (statemachine/deploy.asl.json). */
export const STEP_ORDER = [
  'intake',
  'approval',
  'prepare',
  'window',
  'lock',
  'stage',
  'preTraffic',
  'shift',
  'verify',
  'promote',
  'invalidate',
  'postTraffic',
  'finalize',
] as const;
/** The steps every deployment goes through; the others show only once written to (a hook, a CDN, a window). */
const ALWAYS = new Set(['intake', 'prepare', 'stage', 'shift', 'verify', 'finalize']);

const STEP_LABELS: Record<string, string> = {
  intake: 'Intake',
  approval: 'Approval',
  window: 'Window',
  lock: 'Lock',
  prepare: 'Prepare',
  stage: 'Stage',
  preTraffic: 'Pre-traffic hook',
  shift: 'Shift traffic',
  verify: 'Verify',
  invalidate: 'Invalidate CDN',
  postTraffic: 'Post-traffic hook',
  finalize: 'Finalize',
  rollback: 'Rollback',
  end: 'Failed, nothing moved',
  cancel: 'Cancel',
  promote: 'Promote',
};

export const stepLabel = (step: string): string => STEP_LABELS[step] ?? step;

export type StepState = 'done' | 'current' | 'failed' | 'pending' | 'skipped';

export interface StepView {
  step: string;
  label: string;
  state: StepState;
  /** When the step was first and last written to. */
  startedAt?: string;
  endedAt?: string;
  entries: TimelineEntry[];
}

/**
 * The steps of the workflow as a timeline, in the workflow's order: each with its entries, the one
 * last written to marked `current` while the deployment runs, later ones `pending`; a step a
 * finished deployment never reached is `skipped`. A rollback or cancel comes after the others.
 */
export function stepsOf(d: Deployment): StepView[] {
  const active = ACTIVE_STATUSES.includes(d.status);
  const byStep = new Map<string, TimelineEntry[]>();
  for (const entry of d.timeline) byStep.set(entry.step, [...(byStep.get(entry.step) ?? []), entry]);
  const lastStep = d.timeline.at(-1)?.step;
  const order: string[] = [...STEP_ORDER];
  for (const step of byStep.keys()) if (!order.includes(step)) order.push(step);
  const shown = order.filter((step) => byStep.has(step) || ALWAYS.has(step));
  const lastReached = Math.max(-1, ...shown.map((s, i) => (byStep.has(s) ? i : -1)));
  return shown.map((step, i) => {
    const entries = byStep.get(step) ?? [];
    let state: StepState;
    if (entries.length === 0) state = active && i > lastReached ? 'pending' : 'skipped';
    // The rollback step undid a failure: it is done unless the rollback itself failed.
    else if (step === 'rollback') state = entries.some((e) => e.status === 'failed') ? 'failed' : 'done';
    else if (entries.some((e) => e.health === 'failed' || e.error || e.status === 'failed')) state = 'failed';
    else if (active && step === lastStep) state = 'current';
    else state = 'done';
    return {
      step,
      label: stepLabel(step),
      state,
      ...(entries[0] ? { startedAt: entries[0].at } : {}),
      ...(entries.length ? { endedAt: (entries.at(-1) as TimelineEntry).at } : {}),
      entries,
    };
  });
}

/**
 * Traffic on the new version over time, as [seconds since epoch, percent] points: 0 at the start,
 * each entry that names a percent, and the end (0 after a rollback, the last percent otherwise).
 * A step function: each point holds until the next.
 */
export function trafficSeries(d: Deployment, now: Date): { x: number[]; y: number[] } {
  const x: number[] = [];
  const y: number[] = [];
  const push = (iso: string, percent: number) => {
    const t = Date.parse(iso) / 1000;
    if (!Number.isFinite(t)) return;
    if (x.length && t < (x.at(-1) as number)) return;
    x.push(t);
    y.push(percent);
  };
  push(d.startedAt, 0);
  for (const entry of d.timeline) if (typeof entry.trafficPercent === 'number') push(entry.at, entry.trafficPercent);
  const rolledBack = d.status === 'rolled_back';
  const end = d.endedAt ?? now.toISOString();
  push(end, rolledBack ? 0 : (y.at(-1) ?? 0));
  return { x, y };
}

export interface HealthCheckView {
  at: string;
  result: 'passed' | 'failed' | 'inconclusive' | 'info';
  step: string;
  message: string;
  evidence?: TimelineEntry['evidence'];
}

/** Every health check the timeline records: the bake's verdicts, alarm and probe results, evidence checks. */
export function healthChecksOf(d: Deployment): HealthCheckView[] {
  return d.timeline
    .filter((e) => e.health || e.evidence || (e.step === 'verify' && e.message))
    .map((e) => {
      const outcome = e.evidence?.outcome;
      const result: HealthCheckView['result'] =
        e.health ?? (outcome === 'pass' ? 'passed' : outcome === 'fail' ? 'failed' : outcome === 'inconclusive' ? 'inconclusive' : 'info');
      return { at: e.at, result, step: e.step, message: e.message ?? e.error ?? '', ...(e.evidence ? { evidence: e.evidence } : {}) };
    });
}

/** A site's (or an app site's) invalidation as the timeline tells it: what the stage planned and what was sent. */
export function invalidationsOf(d: Deployment): string[] {
  return d.timeline.filter((e) => e.message && (e.step === 'invalidate' || /invalidat/i.test(e.message))).map((e) => e.message as string);
}

/** An evidence record as one line: `canary v2: 3 errors of 200 (1.50%) · baseline v1: 9 of 900 (1.00%)`. */
export function describeEvidence(evidence: NonNullable<TimelineEntry['evidence']>): string {
  const rate = (errors: number, invocations: number) => (invocations ? `${((100 * errors) / invocations).toFixed(2)}%` : 'no invocations');
  const canary = `canary v${evidence.canary.version}: ${evidence.canary.errors} errors of ${evidence.canary.invocations} (${rate(evidence.canary.errors, evidence.canary.invocations)})`;
  const baseline = evidence.baseline
    ? ` · baseline v${evidence.baseline.version}: ${evidence.baseline.errors} of ${evidence.baseline.invocations} (${rate(evidence.baseline.errors, evidence.baseline.invocations)})`
    : '';
  const p = evidence.probabilityWorse !== undefined ? ` · P(worse) ${(evidence.probabilityWorse * 100).toFixed(1)}%` : '';
  return `${canary}${baseline}${p} — ${evidence.outcome}`;
}

/** The actions a deployment allows in its status (the API refuses the others with 409). */
export function deploymentActions(d: Deployment): ('cancel' | 'promote' | 'startNow' | 'approve' | 'reject')[] {
  if (!ACTIVE_STATUSES.includes(d.status)) return [];
  const actions: ('cancel' | 'promote' | 'startNow' | 'approve' | 'reject')[] = ['cancel'];
  if (d.approval?.state === 'pending') actions.push('approve', 'reject');
  else if (d.status === 'queued' || d.status === 'waiting') actions.push('startNow');
  else if (d.status === 'shifting' || d.status === 'verifying') actions.push('promote');
  return actions;
}
