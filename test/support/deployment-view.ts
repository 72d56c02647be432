import type { Deployment, DeploymentView } from '../../shared/domain/deployment.js';

/** A deployment as the API returns it: queued `r2` of `hello`, from version 1. */
export function deploymentView(overrides: Partial<DeploymentView> = {}): DeploymentView {
  return {
    id: 'd-1',
    target: 'hello',
    release: 'r2',
    status: 'queued',
    trigger: 's3',
    fromVersion: '1',
    toVersion: null,
    trafficPercent: 0,
    requestedAt: '2026-11-26T21:15:00.000Z',
    startedAt: '2026-11-26T21:15:00.000Z',
    endedAt: null,
    reason: null,
    sha256: null,
    notBefore: null,
    startsAt: null,
    configuration: null,
    timeline: [],
    ...overrides,
  };
}

/**
 * A stored deployment record that went live: `release` of `hello`, succeeded, every time `at`
 * unless `fields` says otherwise (`endedAt` only when given).
 */
export function landedRecord(release: string, fields: Partial<Deployment> = {}, at = '2026-01-01T00:00:00.000Z'): Deployment {
  return {
    id: `d-${release}`,
    target: 'hello',
    release,
    status: 'succeeded',
    trigger: 's3',
    requestedAt: at,
    startedAt: at,
    updatedAt: at,
    trafficPercent: 100,
    timeline: [],
    ...fields,
  };
}
