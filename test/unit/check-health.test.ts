import { describe, expect, it } from 'vitest';
import { PROBE_BODY_LIMIT_BYTES } from '../../shared/adapters/http/http-probe.js';
import type { Deployment } from '../../shared/domain/deployment.js';
import { UnhealthyReleaseError } from '../../shared/domain/errors.js';
import { parseTarget } from '../../shared/domain/target.js';
import type { ProbeResult } from '../../shared/ports/index.js';
import { checkHealth, type CheckHealthDeps } from '../../shared/usecases/workflow/check-health.js';
import type { WorkflowState } from '../../shared/usecases/workflow/state.js';

const SHA = 'a'.repeat(64);
const site = parseTarget({
  name: 'www',
  kind: 'site',
  site: { bucket: 'acme-www', distributionId: 'E2QWRUHAPOMQZL' },
  health: { probe: { url: 'https://www.acme.example/app.js' } },
});

/** One last bake tick of a site at 100%, with the probe answering `probed` and `app.js` of `size` bytes in the manifest. */
function tick(probed: ProbeResult, size: number): { deps: CheckHealthDeps; state: WorkflowState } {
  const deployment = { id: 'd-1', target: 'www', trafficPercent: 100, timeline: [] } as unknown as Deployment;
  const manifest = {
    release: 'r2',
    createdAt: '2025-01-01T00:00:00Z',
    files: { 'app.js': { sha256: SHA, size, contentType: 'text/javascript', cacheControl: 'max-age=60' } },
  };
  const deps = {
    deployments: { get: async () => deployment, update: async () => deployment },
    health: { alarmsFiring: async () => [], probe: async () => probed },
    cdn: { isInvalidationComplete: async () => true },
    sites: { readJson: async () => manifest },
  } as unknown as CheckHealthDeps;
  const state = {
    deploymentId: 'd-1',
    target: site,
    site: { release: 'r2', staging: { bucket: 'artifacts', key: 'staging/www/d-1/chunks.json', chunks: 0 }, liveOriginPath: '/r1' },
  } as unknown as WorkflowState;
  return { deps, state };
}

describe('Function: checkHealth (site body check with a capped probe body)', () => {
  it("rolls back when a page within the cap was served more bytes than the release's file has", async () => {
    // Prepare
    const { deps, state } = tick({ bodyBytes: PROBE_BODY_LIMIT_BYTES, truncated: true }, 2048);
    // Act & Assess
    await expect(checkHealth(deps, state)).rejects.toThrow(UnhealthyReleaseError);
    await expect(checkHealth(deps, state)).rejects.toThrow(/served more than 1048576 bytes, while release r2's app\.js has 2048/);
  });

  it('passes a file longer than the cap, which the probe cannot compare byte for byte', async () => {
    // Prepare
    const { deps, state } = tick({ bodyBytes: PROBE_BODY_LIMIT_BYTES, truncated: true }, 5 * PROBE_BODY_LIMIT_BYTES);
    // Act
    const next = await checkHealth(deps, state);
    // Assess
    expect(next.verify?.next).toBe('done');
  });

  it('still compares a whole body by its sha256', async () => {
    // Prepare
    const { deps, state } = tick({ bodySha256: 'b'.repeat(64), bodyBytes: 2048 }, 2048);
    // Act & Assess
    await expect(checkHealth(deps, state)).rejects.toThrow(/was served other bytes than release r2's app\.js/);
  });
});
