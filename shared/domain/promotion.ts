/**
 * Environments: a target that names its upstream (`promotion.from`) takes only releases that
 * passed there. "The same release" is the same release name and the same artifact sha256; a
 * release has passed when it succeeded upstream and stayed live there for `soakSeconds` without
 * being rolled back. Pure rules; the use cases read the records and act.
 */
import { z } from 'zod';
import { isTerminal, type ArtifactRef, type Deployment } from './deployment.js';
import { TARGET_NAME, TARGET_NAME_RULE } from './names.js';

/** A Step Functions execution lasts at most a year; a soak longer than that could never end inside one. */
export const MAX_SOAK_SECONDS = 365 * 24 * 3600 - 24 * 3600;

export const promotionSchema = z
  .object({
    /** The upstream environment: the target whose passed releases this one takes. */
    from: z.string().regex(TARGET_NAME, TARGET_NAME_RULE),
    /** How long a release must stay live upstream, not rolled back, before it may come here. */
    soakSeconds: z.number().int().min(0).max(MAX_SOAK_SECONDS).default(0),
    /** `required`: a promotion waits for a person's approve (or reject). */
    approval: z.enum(['required', 'none']).default('none'),
    /** Start the promotion by itself once a release has passed upstream (after the soak). */
    auto: z.boolean().default(false),
  })
  .strict();

export type Promotion = z.infer<typeof promotionSchema>;

/** How one upstream release stands for promotion. */
export interface Candidate {
  release: string;
  sha256: string;
  artifact?: ArtifactRef;
  /** The upstream deployment that took it live. */
  deploymentId: string;
  /** When it went live upstream. */
  liveSince: string;
  /** When the soak is (or was) over. */
  eligibleAt: string;
  state: 'eligible' | 'soaking' | 'rolled_back' | 'replaced';
  /** Why, in words for people. */
  why: string;
}

function endedMs(d: Deployment): number {
  return Date.parse(d.endedAt ?? d.updatedAt);
}

/**
 * The releases of the upstream's history (any order) as candidates, newest first. Every succeeded
 * deployment starts a period where its release is live, which the next succeeded deployment ends;
 * a period ended by a rollback disqualifies its release. A release replaced by a newer one before
 * its soak was over did not pass either.
 */
export function candidates(upstream: string, history: readonly Deployment[], soakSeconds: number, now: Date): Candidate[] {
  const landed = history.filter((d) => d.status === 'succeeded' && d.endedAt).sort((a, b) => endedMs(a) - endedMs(b));
  const byRelease = new Map<string, Candidate>();
  const rolledBack = new Set<string>();
  for (let i = 0; i < landed.length; i++) {
    const d = landed[i] as Deployment;
    let j = i + 1;
    // A later success of the same bytes (a configuration change, a re-run) keeps the period going.
    while (j < landed.length && sameRelease(landed[j] as Deployment, d)) j++;
    const next = landed[j];
    const identity = `${d.release}\n${d.sha256 ?? ''}`;
    if (next?.trigger === 'rollback' && next.release !== d.release) rolledBack.add(identity);
    if (d.trigger === 'rollback' || !d.sha256) {
      i = j - 1;
      continue;
    }
    const liveSince = endedMs(d);
    const eligibleAt = liveSince + soakSeconds * 1000;
    const until = next ? endedMs(next) : now.getTime();
    const existing = byRelease.get(identity);
    let state: Candidate['state'];
    let why: string;
    if (rolledBack.has(identity)) {
      state = 'rolled_back';
      why = `${d.release} was rolled back on ${upstream}`;
    } else if (until >= eligibleAt) {
      state = 'eligible';
      why = soakSeconds ? `live on ${upstream} since ${iso(liveSince)}, soaked ${soakSeconds} s` : `succeeded on ${upstream} at ${iso(liveSince)}`;
    } else if (next) {
      state = 'replaced';
      why = `${d.release} was replaced on ${upstream} at ${iso(until)}, before its ${soakSeconds} s soak was over`;
    } else {
      state = 'soaking';
      why = `${d.release} is soaking on ${upstream}: eligible at ${iso(eligibleAt)}`;
    }
    // A release that passed once stays passed, unless it was rolled back.
    if (!existing || existing.state !== 'eligible' || state === 'rolled_back') {
      byRelease.set(identity, {
        release: d.release,
        sha256: d.sha256,
        ...(d.artifact ? { artifact: d.artifact } : {}),
        deploymentId: d.id,
        liveSince: iso(liveSince),
        eligibleAt: iso(eligibleAt),
        state,
        why,
      });
    }
    i = j - 1;
  }
  for (const identity of rolledBack) {
    const c = byRelease.get(identity);
    if (c) byRelease.set(identity, { ...c, state: 'rolled_back', why: `${c.release} was rolled back on ${upstream}` });
  }
  return [...byRelease.values()].sort((a, b) => Date.parse(b.liveSince) - Date.parse(a.liveSince));
}

function sameRelease(a: Deployment, b: Deployment): boolean {
  return a.release === b.release && a.sha256 === b.sha256 && a.trigger !== 'rollback';
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * The candidate a promotion takes: the named release, or the newest eligible one. Throws nothing:
 * `why` says which gate is not met when there is none.
 */
export function choose(upstream: string, list: readonly Candidate[], release?: string): { candidate?: Candidate; why: string } {
  if (release) {
    const named = list.find((c) => c.release === release);
    if (!named) return { why: `release "${release}" never succeeded on ${upstream}; deploy it there first` };
    if (named.state !== 'eligible') return { why: named.why };
    return { candidate: named, why: named.why };
  }
  const eligible = list.find((c) => c.state === 'eligible');
  if (eligible) return { candidate: eligible, why: eligible.why };
  const newest = list[0];
  return { why: newest ? `no release of ${upstream} is eligible yet: ${newest.why}` : `no release has succeeded on ${upstream} yet` };
}

/**
 * The loop a target would close with its `promotion.from` (a → b → a), as the names along it, or
 * undefined. `upstreamOf` gives each other target's upstream.
 */
export function promotionLoop(name: string, from: string | undefined, upstreamOf: (target: string) => string | undefined): string[] | undefined {
  const path = [name];
  let current = from;
  while (current !== undefined) {
    path.push(current);
    if (current === name) return path;
    if (path.length > 100) return path;
    current = upstreamOf(current);
  }
  return undefined;
}

/**
 * A promotion that waits for a person's approve or reject. No execution runs for it until it is
 * approved, so nothing that settles stuck or interrupted deployments may treat it as one, and
 * nothing that queues releases may wait behind it.
 */
export function awaitsApproval(d: Pick<Deployment, 'approval' | 'status'>): boolean {
  return d.approval?.state === 'pending' && !isTerminal(d.status);
}
