import {
  CloudFrontClient,
  type DistributionConfig,
  GetContinuousDeploymentPolicyCommand,
  UpdateContinuousDeploymentPolicyCommand,
} from '@aws-sdk/client-cloudfront';
import type { SiteCanaryRouter } from '../../ports/site.js';
import { readDistributionConfig } from './cloudfront-distribution-config.js';
import { updateDistributionConfig } from './cloudfront-distribution-update.js';
import { errorName, rethrowTransient } from './sdk-errors.js';

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

  protected config(id: string): Promise<{ config: DistributionConfig; etag: string }> {
    return readDistributionConfig(this.client, id);
  }

  /** Writes a config back with IfMatch, re-reading when someone else changed it in between. */
  protected update(id: string, change: (config: DistributionConfig) => boolean): Promise<void> {
    return updateDistributionConfig(this.client, id, change, 'updating');
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
