import type { DeploymentView } from '../../shared/domain/deployment.js';
import { windowSchema } from '../../shared/domain/window.js';
import { deploymentView } from './deployment-view.js';

/** Thursday 2026-11-26 22:15 in Berlin, 16:15 in New York: the CLI tests' fixed clock. */
export const NOW = new Date('2026-11-26T21:15:00.000Z');

/** hello-nightly's window: weekday nights in Berlin, with a year-end freeze. */
export const nightly = windowSchema.parse({
  timezone: 'Europe/Berlin',
  allow: [{ cron: '0 2 * * 1-5', durationMinutes: 180 }],
  deny: [{ from: '2026-12-20T00:00', to: '2027-01-05T00:00', reason: 'year-end freeze' }],
});

/** The reason a release of hello-nightly arriving at NOW waits with. */
export const waitingReason = 'waiting for the deploy window: outside the allowed windows; starts 2026-11-27 02:00 GMT+1 (2026-11-27 01:00 UTC)';

/** A deployment of hello-nightly as the API returns it. */
export const view = (overrides: Partial<DeploymentView> = {}): DeploymentView => deploymentView({ target: 'hello-nightly', ...overrides });
