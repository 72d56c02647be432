/** Prepare's look at the artifact, before anything is locked or changed. */
import { NOT_BEFORE_METADATA, type ArtifactRef, type Deployment } from '../../domain/deployment.js';
import { ArtifactRejectedError } from '../../domain/errors.js';
import type { ArtifactHead, ArtifactInspection, ArtifactStore, DeploymentStore } from '../../ports/index.js';
import { plural } from '../../domain/words.js';

const SHA256_HEX = /^[0-9a-f]{64}$/;

interface CheckDeps {
  artifacts: ArtifactStore;
  deployments: DeploymentStore;
}

/** The artifact exists, its declared sha256 matches, and it is a readable zip within the limit; returns what it recorded. */
export async function checkArtifact(
  deps: CheckDeps,
  deployment: Deployment,
  limits: Parameters<ArtifactStore['inspectZip']>[1],
): Promise<{ sha256: string; notBefore?: string }> {
  return checkArtifactWith(deps, deployment, (artifact, head) => deps.artifacts.inspectZip(artifact, limits, head));
}

/**
 * The checks of checkArtifact with another reading of the zip (an app's, by component): the
 * object exists, its declared sha256 and schedule are well-formed and match, a promotion's bytes
 * are the upstream's. Records the inspection on the timeline.
 */
export async function checkArtifactWith<I extends ArtifactInspection>(
  deps: CheckDeps,
  deployment: Deployment,
  inspect: (artifact: ArtifactRef, head: ArtifactHead) => Promise<I>,
  describe: (inspection: I) => string = (i) => `${plural(i.entries, 'entry', 'entries')}, ${plural(i.uncompressedBytes, 'byte')} unzipped`,
): Promise<{ sha256: string; notBefore?: string; inspection: I }> {
  const artifact = deployment.artifact;
  if (!artifact) throw new ArtifactRejectedError(`deployment ${deployment.id} names no artifact`);
  const head = await deps.artifacts.head(artifact);
  if (!head) {
    throw new ArtifactRejectedError(
      `artifact s3://${artifact.bucket}/${artifact.key}${artifact.versionId ? ` (version ${artifact.versionId})` : ''} does not exist; upload it again`,
    );
  }
  const declared = head.metadata.sha256?.toLowerCase();
  if (declared !== undefined && !SHA256_HEX.test(declared)) {
    throw new ArtifactRejectedError(`the sha256 metadata "${declared}" is not 64 hex digits; set it to the hex sha256 of the zip or leave it out`);
  }
  const notBefore = scheduledStart(head.metadata[NOT_BEFORE_METADATA]);
  const inspection = await inspect(artifact, head);
  if (declared && declared !== inspection.sha256) {
    throw new ArtifactRejectedError(
      `checksum mismatch: the sha256 metadata says ${declared} but the object's sha256 is ${inspection.sha256}; the upload is corrupt or the metadata is wrong — upload again`,
    );
  }
  // A promotion deploys the very bytes that passed upstream: the object must still be them.
  if (deployment.trigger === 'promotion' && deployment.sha256 !== inspection.sha256) {
    throw new ArtifactRejectedError(
      `the artifact's sha256 is ${inspection.sha256}, but this promotion is of the release with sha256 ${deployment.sha256 ?? '(none)'} that passed on ${deployment.promotion?.from ?? 'the upstream'}; the object changed since: deploy the release upstream again, then promote it`,
    );
  }
  const recorded = { sha256: inspection.sha256, ...(notBefore && !deployment.notBefore ? { notBefore } : {}) };
  await deps.deployments.update(deployment.id, recorded, {
    step: 'prepare',
    message: `artifact checked: ${describe(inspection)}, sha256 ${inspection.sha256}`,
  });
  return { ...recorded, inspection };
}

/** What the record keeps of a checked artifact (the workflow state carries it). */
export function recorded(checked: { sha256: string; notBefore?: string }): { sha256: string; notBefore?: string } {
  return { sha256: checked.sha256, ...(checked.notBefore ? { notBefore: checked.notBefore } : {}) };
}

/** The scheduled start an upload carries, normalized; a value that is not a time rejects the artifact. */
function scheduledStart(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const at = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(at)) {
    throw new ArtifactRejectedError(
      `the ${NOT_BEFORE_METADATA} metadata "${value}" is not an ISO 8601 time such as 2026-12-01T02:00:00Z; fix it or leave it out`,
    );
  }
  return new Date(at).toISOString();
}
