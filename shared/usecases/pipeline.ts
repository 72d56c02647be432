/**
 * The pipeline view: the chain of environments a target belongs to (up through `promotion.from`
 * to the root, down through every target promoting from one in the chain; a chain may branch),
 * and for each what is live, what runs, what may come next from upstream and what waits for a
 * person's approval. Reads only: one listing of the targets and one page of history per
 * environment.
 */
import { isTerminal, type Deployment, type DeploymentStatus } from '../domain/deployment.js';
import { TargetNotFoundError } from '../domain/errors.js';
import { candidates, choose, type Candidate, type Promotion } from '../domain/promotion.js';
import type { Target } from '../domain/target.js';
import type { Clock, DeploymentStore, TargetStore } from '../ports/index.js';
import { PROMOTION_HISTORY } from './promotions.js';

export interface PipelineDeps {
  targets: Pick<TargetStore, 'get' | 'list'>;
  deployments: Pick<DeploymentStore, 'listByTarget'>;
  clock: Clock;
}

/** Environments one view shows at most; the rest of a larger chain is counted in `omitted`. */
export const MAX_PIPELINE_ENVIRONMENTS = 20;
/** Upstream candidates listed per environment (the newest). */
export const PIPELINE_CANDIDATES = 5;

export interface LiveRelease {
  release: string;
  sha256: string | null;
  /** The configuration digest the release went live with (null: none recorded). */
  configDigest: string | null;
  since: string;
  deploymentId: string;
}

export interface RunningDeployment {
  id: string;
  release: string;
  status: DeploymentStatus;
  trafficPercent: number;
}

export interface PipelineCandidate {
  release: string;
  sha256: string;
  state: Candidate['state'];
  why: string;
  liveSince: string;
  eligibleAt: string;
  upstreamDeploymentId: string;
  /** The same release (name and sha256) is already live in this environment. */
  alreadyLive: boolean;
}

export interface PipelineEnvironment {
  name: string;
  kind: Target['kind'];
  /** The upstream environment (promotion.from), null at the root. */
  from: string | null;
  promotion: Promotion | null;
  live: LiveRelease | null;
  running: RunningDeployment | null;
  /** What a promotion would take now (null when nothing is eligible, or at the root), and why. */
  next: { candidate: PipelineCandidate | null; why: string } | null;
  /** The upstream's newest releases as they stand for this environment. */
  candidates: PipelineCandidate[];
  awaitingApproval: { id: string; release: string; requestedBy: string | null; requestedAt: string }[];
}

export interface Pipeline {
  target: string;
  root: string;
  /** Root first, then level by level (breadth first), each level by name. */
  environments: PipelineEnvironment[];
  /** Environments of the chain beyond MAX_PIPELINE_ENVIRONMENTS, not shown. */
  omitted: number;
  /** What is wrong with the chain itself: a loop, an upstream that is not registered. */
  problems: string[];
}

/** The pipeline the named target belongs to. */
export async function showPipeline(deps: PipelineDeps, name: string): Promise<Pipeline> {
  const all = await deps.targets.list();
  const byName = new Map(all.map((t) => [t.name, t]));
  if (!byName.has(name)) {
    const target = await deps.targets.get(name);
    if (!target) throw new TargetNotFoundError(name);
    byName.set(name, target);
  }
  const { root, path, problems } = walkUp(byName, name);
  const order = walkDown(byName, root);
  // The target and its way up are always shown; the rest fills the page in order.
  const keep = new Set(path);
  for (const n of order) if (keep.size < MAX_PIPELINE_ENVIRONMENTS) keep.add(n);
  const shown = order.filter((n) => keep.has(n));

  const histories = new Map<string, Deployment[]>();
  const upstreams = new Set(shown.map((n) => byName.get(n)?.promotion?.from).filter((n): n is string => n !== undefined && byName.has(n)));
  await Promise.all(
    [...new Set([...shown, ...upstreams])].map(async (n) => histories.set(n, await deps.deployments.listByTarget(n, { limit: PROMOTION_HISTORY }))),
  );
  const now = deps.clock.now();
  const environments = shown.map((n) => environment(byName.get(n) as Target, byName, histories, now));
  return { target: name, root, environments, omitted: order.length - shown.length, problems };
}

/** Up through promotion.from to the root: a target with none, an upstream not registered, or the start of a loop. */
function walkUp(byName: ReadonlyMap<string, Target>, name: string): { root: string; path: string[]; problems: string[] } {
  const path = [name];
  const problems: string[] = [];
  let current = name;
  for (;;) {
    const from = byName.get(current)?.promotion?.from;
    if (from === undefined) break;
    if (!byName.has(from)) {
      problems.push(`"${current}" promotes from "${from}", which is not a registered target; register it or change promotion.from`);
      break;
    }
    if (path.includes(from)) {
      const loop = [...path.slice(path.indexOf(from)), from];
      problems.push(`promotion.from makes a loop (${loop.join(' → ')}, each promoting from the next): no release can enter it; change one promotion.from`);
      break;
    }
    path.push(from);
    current = from;
  }
  return { root: current, path, problems };
}

/** Breadth first from the root through the targets promoting from each, every target once. */
function walkDown(byName: ReadonlyMap<string, Target>, root: string): string[] {
  const children = new Map<string, string[]>();
  for (const t of byName.values()) {
    const from = t.promotion?.from;
    if (from !== undefined) children.set(from, [...(children.get(from) ?? []), t.name]);
  }
  const order = [root];
  const seen = new Set(order);
  for (let i = 0; i < order.length; i++) {
    for (const child of (children.get(order[i] as string) ?? []).sort()) {
      if (seen.has(child)) continue;
      seen.add(child);
      order.push(child);
    }
  }
  return order;
}

function environment(target: Target, byName: ReadonlyMap<string, Target>, histories: ReadonlyMap<string, Deployment[]>, now: Date): PipelineEnvironment {
  const history = histories.get(target.name) ?? [];
  const live = liveRelease(history);
  const active = history.filter((d) => !isTerminal(d.status));
  const pending = active.filter((d) => d.approval?.state === 'pending');
  const running = active.find((d) => d.approval?.state !== 'pending');
  const promotion = target.promotion ?? null;
  let next: PipelineEnvironment['next'] = null;
  let list: PipelineCandidate[] = [];
  if (promotion) {
    if (!byName.has(promotion.from)) {
      next = { candidate: null, why: `upstream "${promotion.from}" is not a registered target` };
    } else {
      const found = candidates(promotion.from, histories.get(promotion.from) ?? [], promotion.soakSeconds, now);
      const view = (c: Candidate): PipelineCandidate => ({
        release: c.release,
        sha256: c.sha256,
        state: c.state,
        why: c.why,
        liveSince: c.liveSince,
        eligibleAt: c.eligibleAt,
        upstreamDeploymentId: c.deploymentId,
        alreadyLive: live !== null && live.release === c.release && live.sha256 === c.sha256,
      });
      list = found.slice(0, PIPELINE_CANDIDATES).map(view);
      const chosen = choose(promotion.from, found);
      const candidate = chosen.candidate ? view(chosen.candidate) : null;
      next = {
        candidate,
        why: candidate?.alreadyLive ? `${candidate.release} is already live on ${target.name}; nothing newer has passed ${promotion.from}` : chosen.why,
      };
    }
  }
  return {
    name: target.name,
    kind: target.kind,
    from: promotion?.from ?? null,
    promotion,
    live,
    running: running ? { id: running.id, release: running.release, status: running.status, trafficPercent: running.trafficPercent } : null,
    next,
    candidates: list,
    awaitingApproval: pending.map((d) => ({ id: d.id, release: d.release, requestedBy: d.requestedBy ?? null, requestedAt: d.requestedAt })),
  };
}

/** The newest succeeded deployment's release, by when it ended. */
function liveRelease(history: readonly Deployment[]): LiveRelease | null {
  let newest: Deployment | undefined;
  for (const d of history) {
    if (d.status !== 'succeeded' || !d.endedAt) continue;
    if (!newest || Date.parse(d.endedAt) > Date.parse(newest.endedAt as string)) newest = d;
  }
  if (!newest) return null;
  return {
    release: newest.release,
    sha256: newest.sha256 ?? null,
    configDigest: newest.configuration?.digest ?? null,
    since: newest.endedAt as string,
    deploymentId: newest.id,
  };
}
