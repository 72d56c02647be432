import {
  CopyDistributionCommand,
  CreateContinuousDeploymentPolicyCommand,
  type ContinuousDeploymentPolicyConfig,
  type DistributionConfig,
  GetContinuousDeploymentPolicyCommand,
  GetDistributionCommand,
  ListContinuousDeploymentPoliciesCommand,
  type TrafficConfig,
  UpdateContinuousDeploymentPolicyCommand,
  UpdateDistributionWithStagingConfigCommand,
} from '@aws-sdk/client-cloudfront';
import { MissingResourceError } from '../../domain/errors.js';
import type { SiteTrafficConfig } from '../../domain/site-canary.js';
import type { SiteCanaryRouter, StagingDistribution } from '../../ports/site.js';
import { CloudFrontCanaryDetach } from './cloudfront-canary-detach.js';
import { bucketOrigin } from './cloudfront-origin-reader.js';
import { errorName, rethrowTransient } from './sdk-errors.js';

/** One staging distribution per primary: the copy's CallerReference names the primary, so a retried copy finds it. */
export function stagingCallerReference(primaryId: string): string {
  return `slipway-staging-${primaryId}`;
}

function trafficConfig(traffic: SiteTrafficConfig): TrafficConfig {
  if (traffic.type === 'SingleHeader') return { Type: 'SingleHeader', SingleHeaderConfig: { Header: traffic.header, Value: traffic.value } };
  return {
    Type: 'SingleWeight',
    SingleWeightConfig: { Weight: traffic.weight, SessionStickinessConfig: { IdleTTL: traffic.idleTtl, MaximumTTL: traffic.maximumTtl } },
  };
}

/** CloudFront continuous deployment for a site canary (shared/ports/site.ts SiteCanaryRouter). */
export class CloudFrontContinuousDeployment extends CloudFrontCanaryDetach implements SiteCanaryRouter {
  private async copy(primaryId: string, etag: string): Promise<string> {
    try {
      const out = await this.client.send(
        new CopyDistributionCommand({
          PrimaryDistributionId: primaryId,
          Staging: true,
          IfMatch: etag,
          CallerReference: stagingCallerReference(primaryId),
          Enabled: true,
        }),
      );
      const id = out.Distribution?.Id;
      if (!id) throw new Error(`CopyDistribution of ${primaryId} returned no distribution`);
      return id;
    } catch (error) {
      // A copy made before (by an earlier canary, or a retried step): CloudFront names it.
      const existing = errorName(error) === 'DistributionAlreadyExists' ? /Already exists: ([A-Z0-9]+)/.exec((error as Error).message)?.[1] : undefined;
      if (existing) return existing;
      if (errorName(error) === 'DistributionAlreadyExists') {
        throw new MissingResourceError(
          `the staging distribution of ${primaryId} exists but CloudFront did not name it; check distributions with CallerReference ${stagingCallerReference(primaryId)}`,
          {
            cause: error,
          },
        );
      }
      rethrowTransient(error, `copying distribution ${primaryId} into a staging distribution`);
    }
  }

  async prepareStaging(primaryId: string, bucket: string, originPath: string): Promise<StagingDistribution> {
    const primary = await this.config(primaryId);
    if (primary.config.Staging)
      throw new MissingResourceError(`distribution ${primaryId} is a staging distribution; a site target's distributionId must be a primary`);
    bucketOrigin(primary.config, primaryId, bucket);
    const stagingId = await this.copy(primaryId, primary.etag);
    // The kept staging distribution becomes the primary's config again, so promoting it changes only the release.
    await this.update(stagingId, (config) => {
      const next: DistributionConfig = {
        ...structuredClone(primary.config),
        CallerReference: config.CallerReference,
        Aliases: { Quantity: 0 },
        Staging: true,
        ContinuousDeploymentPolicyId: '',
      };
      bucketOrigin(next, stagingId, bucket).OriginPath = originPath;
      const same = JSON.stringify(next) === JSON.stringify(config);
      if (!same) Object.assign(config, next);
      return !same;
    });
    const out = await this.client
      .send(new GetDistributionCommand({ Id: stagingId }))
      .catch((error) => rethrowTransient(error, `reading distribution ${stagingId}`));
    return { id: stagingId, domainName: out.Distribution?.DomainName ?? '' };
  }

  private async findPolicy(primaryPolicyId: string | undefined, dnsName: string): Promise<string | undefined> {
    if (primaryPolicyId) return primaryPolicyId;
    const list = await this.client
      .send(new ListContinuousDeploymentPoliciesCommand({}))
      .catch((error) => rethrowTransient(error, 'listing continuous deployment policies'));
    return (list.ContinuousDeploymentPolicyList?.Items ?? []).find((s) =>
      s.ContinuousDeploymentPolicy?.ContinuousDeploymentPolicyConfig?.StagingDistributionDnsNames?.Items?.includes(dnsName),
    )?.ContinuousDeploymentPolicy?.Id;
  }

  async attachPolicy(primaryId: string, staging: StagingDistribution, traffic: SiteTrafficConfig): Promise<{ policyId: string; primaryEtag: string }> {
    const { config: primary } = await this.config(primaryId);
    const policyConfig: ContinuousDeploymentPolicyConfig = {
      StagingDistributionDnsNames: { Quantity: 1, Items: [staging.domainName] },
      Enabled: true,
      TrafficConfig: trafficConfig(traffic),
    };
    let policyId = await this.findPolicy(primary.ContinuousDeploymentPolicyId || undefined, staging.domainName);
    try {
      if (policyId) {
        const current = await this.client.send(new GetContinuousDeploymentPolicyCommand({ Id: policyId }));
        await this.client.send(
          new UpdateContinuousDeploymentPolicyCommand({ Id: policyId, IfMatch: current.ETag, ContinuousDeploymentPolicyConfig: policyConfig }),
        );
      } else {
        const out = await this.client.send(new CreateContinuousDeploymentPolicyCommand({ ContinuousDeploymentPolicyConfig: policyConfig }));
        policyId = out.ContinuousDeploymentPolicy?.Id;
        if (!policyId) throw new Error('CreateContinuousDeploymentPolicy returned no policy id');
      }
    } catch (error) {
      rethrowTransient(error, `setting the continuous deployment policy of distribution ${primaryId}`);
    }
    const id = policyId;
    await this.update(primaryId, (config) => {
      if (config.ContinuousDeploymentPolicyId === id) return false;
      config.ContinuousDeploymentPolicyId = id;
      return true;
    });
    return { policyId: id, primaryEtag: (await this.config(primaryId)).etag };
  }

  async promote(primaryId: string, stagingId: string, primaryEtag: string, bucket: string, originPath: string): Promise<'staging-config' | 'origin-path'> {
    let how: 'staging-config' | 'origin-path' = 'origin-path';
    const { config: current, etag } = await this.config(primaryId);
    if ((bucketOrigin(current, primaryId, bucket).OriginPath ?? '') !== originPath) {
      const staging = await this.config(stagingId);
      try {
        if (etag !== primaryEtag)
          throw Object.assign(new Error('the primary changed since the staging distribution was prepared'), { name: 'PreconditionFailed' });
        await this.client.send(
          new UpdateDistributionWithStagingConfigCommand({ Id: primaryId, StagingDistributionId: stagingId, IfMatch: `${etag}, ${staging.etag}` }),
        );
        how = 'staging-config';
      } catch (error) {
        // Someone changed the primary during the bake: keep their change, move only the release.
        if (errorName(error) !== 'PreconditionFailed') rethrowTransient(error, `promoting staging distribution ${stagingId} to ${primaryId}`);
        await this.update(primaryId, (config) => {
          const origin = bucketOrigin(config, primaryId, bucket);
          if ((origin.OriginPath ?? '') === originPath) return false;
          origin.OriginPath = originPath;
          return true;
        });
      }
    }
    await this.detachPolicy(primaryId);
    return how;
  }
}
