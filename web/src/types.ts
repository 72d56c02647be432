/**
 * The shapes the dashboard reads from slipway's HTTPS API (docs/openapi.json): only the fields it
 * shows. The dashboard is a client of the public API like the CLI; it imports nothing of the service.
 */

export type DeploymentStatus =
  | 'queued'
  | 'waiting'
  | 'staging'
  | 'shifting'
  | 'verifying'
  | 'succeeded'
  | 'rolled_back'
  | 'failed'
  | 'cancelled'
  | 'superseded';

export const ACTIVE_STATUSES: readonly DeploymentStatus[] = ['queued', 'waiting', 'staging', 'shifting', 'verifying'];
export const TERMINAL_STATUSES: readonly DeploymentStatus[] = ['succeeded', 'rolled_back', 'failed', 'cancelled', 'superseded'];
export const TRIGGERS = ['s3', 'api', 'rollback', 'promotion', 'config'] as const;

export interface VersionEvidence {
  version: string;
  invocations: number;
  errors: number;
  throttles: number;
  p99DurationMs?: number;
}

export interface TimelineEntry {
  at: string;
  step: string;
  status?: DeploymentStatus;
  trafficPercent?: number;
  message?: string;
  requestedBy?: string;
  reason?: string;
  health?: 'passed' | 'failed';
  error?: string;
  dropped?: number;
  evidence?: { outcome: string; canary: VersionEvidence; baseline?: VersionEvidence; probabilityWorse?: number; durationRatio?: number };
}

export type ComponentRecord =
  | { kind: 'function'; function: string; fromVersion?: string; toVersion?: string; changed: boolean; sha256?: string }
  | { kind: 'site'; fromRelease?: string; toRelease?: string; changed: boolean };

export interface Deployment {
  id: string;
  target: string;
  release: string;
  status: DeploymentStatus;
  trigger: string;
  fromVersion: string | null;
  toVersion: string | null;
  trafficPercent: number;
  requestedAt: string;
  startedAt: string;
  endedAt: string | null;
  reason: string | null;
  sha256: string | null;
  notBefore?: string | null;
  startsAt?: string | null;
  requestedBy?: string;
  promotion?: { from: string; upstreamDeploymentId: string };
  approval?: { state: 'pending' | 'approved' | 'rejected'; by?: string; reason?: string; at?: string };
  components?: Record<string, ComponentRecord>;
  timeline: TimelineEntry[];
}

export interface Target {
  name: string;
  kind: 'function' | 'site' | 'app';
  function?: { name: string; alias: string };
  site?: { bucket: string; prefix: string; distributionId: string };
  window?: { timezone: string };
  promotion?: { from: string; approval?: 'required' | 'none' } | null;
}

export interface TargetWindow {
  target: string;
  timezone: string | null;
  now: string;
  openings: { at: string; closesAt: string }[];
  deny: { from: string; to: string; reason: string }[];
}

/** `GET /summary`: one entry per target. */
export interface TargetSummary {
  name: string;
  kind: 'function' | 'site' | 'app';
  environment?: string;
  live: { release: string; version?: string; siteRelease?: string; sha256?: string; since: string; by?: string; deploymentId: string } | null;
  traffic: { stable: { version: string; percent: number }; canary?: { version: string; percent: number } } | null;
  running: { id: string; release: string; status: DeploymentStatus; trafficPercent: number; startedAt: string } | null;
  lastDeployment: {
    id: string;
    release: string;
    status: DeploymentStatus;
    startedAt: string;
    endedAt?: string;
    reason?: string;
    trigger?: string;
    by?: string;
  } | null;
  window: { state: 'open' | 'closed' | 'frozen' | 'none'; until?: string; timeZone?: string };
  promotion?: { from?: string; to: string[]; waiting: { deploymentId?: string; release: string; since: string }[] };
}

export interface Metrics {
  started: number;
  succeeded: number;
  failed: number;
  rolledBack: number;
  deploymentsPerDay: number;
  leadTimeSeconds: { median: number; p90: number } | null;
  changeFailureRate: number | null;
  timeToRestoreSeconds: { median: number; max: number } | null;
  daily: { date: string; succeeded: number; failed: number; rolledBack: number }[];
}

/** `GET /metrics`. */
export interface MetricsReport {
  since: string;
  until: string;
  overall: Metrics;
  targets: (Metrics & { target: string })[];
}

export interface DeploymentPage {
  deployments: Deployment[];
  nextCursor: string | null;
}

/** An `application/problem+json` answer. */
export interface Problem {
  type?: string;
  status: number;
  title?: string;
  detail?: string;
  errors?: { path: string; message: string }[];
}
