import type { DeploymentView } from '../../shared/domain/deployment.js';

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
