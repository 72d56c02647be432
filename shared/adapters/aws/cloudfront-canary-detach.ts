import {
  CloudFrontClient,
  type DistributionConfig,
  GetContinuousDeploymentPolicyCommand,
  GetDistributionConfigCommand,
  UpdateContinuousDeploymentPolicyCommand,
  UpdateDistributionCommand,
} from '@aws-sdk/client-cloudfront';
import { ConcurrentModificationError, MissingResourceError } from '../../domain/errors.js';
import type { SiteCanaryRouter } from '../../ports/site.js';
import { errorName, rethrowTransient } from './sdk-errors.js';

const MAX_ATTEMPTS = 5;

/**
 * Detaching a site canary's continuous-deployment policy from its primary (and disabling it): all a
 * rollback needs of CloudFront continuous deployment, in a module of its own so the functions that
 * only detach carry (and are granted) only these calls. CloudFrontContinuousDeployment builds on it.
 */
export class CloudFrontCanaryDetach implements Pick<SiteCanaryRouter, 'detachPolicy'> {
  protected readonly client: CloudFrontClient;

  constructor(options: { client?: CloudFrontClient } = {}) {
    this.client = options.client ?? new CloudFrontClient({});
  }

  protected async config(id: string): Promise<{ config: DistributionConfig; etag: string }> {
    try {
      const out = await this.client.send(new GetDistributionConfigCommand({ Id: id }));
      if (!out.DistributionConfig || !out.ETag) throw new Error(`GetDistributionConfig of ${id} returned no config or ETag`);
      return { config: out.DistributionConfig, etag: out.ETag };
    } catch (error) {
      if (errorName(error) === 'NoSuchDistribution') throw new MissingResourceError(`CloudFront distribution ${id} does not exist`, { cause: error });
      rethrowTransient(error, `reading distribution ${id}`);
    }
  }

  /** Writes a config back with IfMatch, re-reading when someone else changed it in between. */
  protected async update(id: string, change: (config: DistributionConfig) => boolean): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const { config: current, etag } = await this.config(id);
      const config = structuredClone(current);
      if (!change(config)) return;
      try {
        await this.client.send(new UpdateDistributionCommand({ Id: id, IfMatch: etag, DistributionConfig: config }));
        return;
      } catch (error) {
        if (errorName(error) === 'PreconditionFailed' && attempt < MAX_ATTEMPTS) continue;
        if (errorName(error) === 'PreconditionFailed')
          throw new ConcurrentModificationError(`distribution ${id} kept changing under slipway (IfMatch)`, { cause: error });
        rethrowTransient(error, `updating distribution ${id}`);
      }
    }
  }

  async detachPolicy(primaryId: string): Promise<void> {
    let policyId = '';
    await this.update(primaryId, (config) => {
      policyId = config.ContinuousDeploymentPolicyId ?? '';
      if (!policyId) return false;
      config.ContinuousDeploymentPolicyId = '';
      return true;
    });
    if (!policyId) return;
    try {
      const current = await this.client.send(new GetContinuousDeploymentPolicyCommand({ Id: policyId }));
      const config = current.ContinuousDeploymentPolicy?.ContinuousDeploymentPolicyConfig;
      if (config?.Enabled) {
        await this.client.send(
          new UpdateContinuousDeploymentPolicyCommand({ Id: policyId, IfMatch: current.ETag, ContinuousDeploymentPolicyConfig: { ...config, Enabled: false } }),
        );
      }
    } catch (error) {
      if (errorName(error) === 'NoSuchContinuousDeploymentPolicy') return;
      rethrowTransient(error, `disabling continuous deployment policy ${policyId}`);
    }
  }
}
