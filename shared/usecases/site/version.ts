import type { Deployment } from '../../domain/deployment.js';
import type { SiteWorkflow } from '../workflow/state.js';

/**
 * The version (layout.ts) a site deployment stages and switches to: the one Prepare chose, else the
 * one the record names (a rollback names it when requested; others once staged), else the release
 * itself (an execution started before versions had config digests).
 */
export function deployedVersion(site: Pick<SiteWorkflow, 'version'> | undefined, deployment: Pick<Deployment, 'release' | 'toVersion'>): string {
  return site?.version ?? deployment.toVersion ?? deployment.release;
}
