/**
 * The local edge's part of CloudFront continuous deployment (docs/sites.md): which distribution
 * answers a viewer while a primary has a continuous-deployment policy attached and enabled.
 *
 * - SingleHeader: a request carrying the policy's header with its value goes to the staging
 *   distribution; every other request to the primary.
 * - SingleWeight: a new viewer goes to the staging distribution with the policy's weight. With
 *   session stickiness, the edge answers with a session cookie (`slipway-cd-session`, standing in for
 *   CloudFront's own session cookie) that keeps the viewer on the side it drew: the session ends
 *   after IdleTTL without a request (the cookie's Max-Age, renewed on each answer) or MaximumTTL
 *   after it began, and with a new policy. Without stickiness each request draws again.
 */
import { CloudFrontClient, GetContinuousDeploymentPolicyCommand, GetDistributionConfigCommand, paginateListDistributions } from '@aws-sdk/client-cloudfront';
import type { SiteTrafficConfig } from '../shared/domain/site-canary.js';

export const SESSION_COOKIE = 'slipway-cd-session';

/** A primary's attached, enabled policy, and the staging distribution it names. */
export interface EdgeCanary {
  policyId: string;
  stagingId: string;
  traffic: SiteTrafficConfig | { type: 'SingleWeight'; weight: number };
}

export interface CanaryReader {
  canaryOf(distributionId: string): Promise<EdgeCanary | undefined>;
}

/** Reads the policy through the CloudFront API, as any client would (the emulator front answers in dev mode). */
export class CloudFrontCanaryReader implements CanaryReader {
  private readonly client: CloudFrontClient;

  constructor(client?: CloudFrontClient) {
    this.client = client ?? new CloudFrontClient({});
  }

  async canaryOf(distributionId: string): Promise<EdgeCanary | undefined> {
    const primary = await this.client.send(new GetDistributionConfigCommand({ Id: distributionId }));
    const policyId = primary.DistributionConfig?.ContinuousDeploymentPolicyId;
    if (!policyId) return undefined;
    const policy = await this.client.send(new GetContinuousDeploymentPolicyCommand({ Id: policyId }));
    const config = policy.ContinuousDeploymentPolicy?.ContinuousDeploymentPolicyConfig;
    const dnsName = config?.StagingDistributionDnsNames?.Items?.[0];
    if (!config?.Enabled || !dnsName) return undefined;
    let stagingId: string | undefined;
    for await (const page of paginateListDistributions({ client: this.client }, {})) {
      stagingId = page.DistributionList?.Items?.find((d) => d.DomainName === dnsName)?.Id;
      if (stagingId) break;
    }
    if (!stagingId) return undefined;
    const traffic = config.TrafficConfig;
    if (traffic?.Type === 'SingleHeader' && traffic.SingleHeaderConfig?.Header && traffic.SingleHeaderConfig.Value !== undefined) {
      return { policyId, stagingId, traffic: { type: 'SingleHeader', header: traffic.SingleHeaderConfig.Header, value: traffic.SingleHeaderConfig.Value } };
    }
    const weight = traffic?.SingleWeightConfig?.Weight ?? 0;
    const sticky = traffic?.SingleWeightConfig?.SessionStickinessConfig;
    if (sticky?.IdleTTL !== undefined && sticky.MaximumTTL !== undefined) {
      return { policyId, stagingId, traffic: { type: 'SingleWeight', weight, idleTtl: sticky.IdleTTL, maximumTtl: sticky.MaximumTTL } };
    }
    return { policyId, stagingId, traffic: { type: 'SingleWeight', weight } };
  }
}

export interface ViewerRequest {
  headers: Record<string, string | string[] | undefined>;
  /** Seconds since the epoch. */
  now: number;
  /** A number in [0, 1): the draw for a new viewer. */
  random: () => number;
}

export interface Routing {
  staging: boolean;
  /** A Set-Cookie value to answer with (a weighted policy with stickiness). */
  setCookie?: string;
}

function cookieValue(header: string | string[] | undefined, name: string): string | undefined {
  const all = Array.isArray(header) ? header.join('; ') : (header ?? '');
  for (const part of all.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

/** Which side a viewer's request goes to under a policy, and the session cookie to answer with. */
export function routeViewer(canary: EdgeCanary, request: ViewerRequest): Routing {
  const { traffic } = canary;
  if (traffic.type === 'SingleHeader') {
    const sent = request.headers[traffic.header.toLowerCase()];
    return { staging: (Array.isArray(sent) ? sent[0] : sent) === traffic.value };
  }
  if (!('idleTtl' in traffic)) return { staging: request.random() < traffic.weight };
  // A session: `<policy>.<p|s>.<start>`, valid for this policy until MaximumTTL after it began.
  const [policyId, side, start] = (cookieValue(request.headers.cookie, SESSION_COOKIE) ?? '').split('.');
  const began = Number(start);
  const current = policyId === canary.policyId && (side === 'p' || side === 's') && Number.isFinite(began) && request.now - began < traffic.maximumTtl;
  const staging = current ? side === 's' : request.random() < traffic.weight;
  const since = current ? began : request.now;
  const maxAge = Math.max(1, Math.min(traffic.idleTtl, since + traffic.maximumTtl - request.now));
  return { staging, setCookie: `${SESSION_COOKIE}=${canary.policyId}.${staging ? 's' : 'p'}.${since}; Max-Age=${maxAge}; Path=/; HttpOnly` };
}
