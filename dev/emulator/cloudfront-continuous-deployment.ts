/**
 * CloudFront continuous deployment, which moto 5 lacks: CopyDistribution (a staging distribution
 * copied from a primary), the continuous-deployment policies (Create/Get/GetConfig/Update/Delete/
 * List) and UpdateDistributionWithStagingConfig (the primary takes the staging's configuration),
 * spoken in CloudFront's REST-XML protocol (2020-05-31) with AWS's error codes.
 *
 * The distributions themselves stay in moto, which keeps `Staging` and `ContinuousDeploymentPolicyId`
 * in a DistributionConfig as it was given; this supplement calls moto for them and keeps only the
 * policies. It also checks UpdateDistribution for the rules moto does not know: `Staging` never
 * changes, a staging distribution takes no policy, a newly attached policy exists.
 *
 * ETags: moto gives each distribution one ETag for life and takes any IfMatch. This supplement
 * keeps a distribution's ETag as CloudFront does: every change (UpdateDistribution,
 * UpdateDistributionWithStagingConfig) gives it a new one, GetDistribution and
 * GetDistributionConfig answer with the current one, and a change whose IfMatch is not the current
 * ETag is refused with 412 PreconditionFailed (CopyDistribution's IfMatch too). Policies' ETags are
 * kept and checked the same way.
 */
import { randomBytes } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import type { EmulatorAnswer, EmulatorRequest, Supplement, Upstream } from './front.js';

const NS = 'http://cloudfront.amazonaws.com/doc/2020-05-31/';
const API = '/2020-05-31';
const POLICY_PATH = /^\/2020-05-31\/continuous-deployment-policy(?:\/([^/]+)(\/config)?)?\/?$/;
const DISTRIBUTION_PATH = /^\/2020-05-31\/distribution\/([^/]+)(?:\/(copy|promote-staging-config|config))?$/;

export const CD_MAX_WEIGHT = 0.15;

interface TrafficConfig {
  type: 'SingleWeight' | 'SingleHeader';
  weight?: string;
  idleTtl?: string;
  maximumTtl?: string;
  header?: string;
  value?: string;
}

interface PolicyConfig {
  dnsNames: string[];
  enabled: boolean;
  traffic?: TrafficConfig;
}

interface Policy {
  id: string;
  etag: string;
  lastModified: string;
  config: PolicyConfig;
}

class CloudFrontError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, isArray: (name) => name === 'DnsName' });

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function newId(length = 14): string {
  return `E${randomBytes(16)
    .toString('hex')
    .toUpperCase()
    .slice(0, length - 1)}`;
}

function xmlAnswer(status: number, body: string, headers: Record<string, string> = {}): EmulatorAnswer {
  return {
    status,
    headers: { 'content-type': 'text/xml', 'x-amz-request-id': newId(20), ...headers },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n${body}`,
  };
}

function errorAnswer(error: CloudFrontError): EmulatorAnswer {
  const type = error.status >= 500 ? 'Receiver' : 'Sender';
  return xmlAnswer(
    error.status,
    `<ErrorResponse xmlns="${NS}"><Error><Type>${type}</Type><Code>${error.code}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${newId(20)}</RequestId></ErrorResponse>`,
  );
}

const invalid = (message: string) => new CloudFrontError(400, 'InvalidArgument', message);
const noSuchPolicy = () => new CloudFrontError(404, 'NoSuchContinuousDeploymentPolicy', 'The specified continuous deployment policy does not exist.');

function parseTrafficConfig(raw: Record<string, unknown> | undefined): TrafficConfig | undefined {
  if (!raw) return undefined;
  const type = raw.Type;
  if (type === 'SingleWeight') {
    const weightConfig = raw.SingleWeightConfig as Record<string, unknown> | undefined;
    const weight = String(weightConfig?.Weight ?? '');
    const w = Number(weight);
    if (!weightConfig || weight === '' || !Number.isFinite(w) || w < 0 || w > CD_MAX_WEIGHT) {
      throw invalid(`The weight in SingleWeightConfig must be a number from 0 to ${CD_MAX_WEIGHT}.`);
    }
    const sticky = weightConfig.SessionStickinessConfig as Record<string, unknown> | undefined;
    if (sticky) {
      const idle = Number(sticky.IdleTTL);
      const max = Number(sticky.MaximumTTL);
      const inRange = (n: number) => Number.isInteger(n) && n >= 300 && n <= 3600;
      if (!inRange(idle) || !inRange(max) || idle > max) {
        throw invalid('SessionStickinessConfig IdleTTL and MaximumTTL must be 300 to 3600 seconds, and IdleTTL at most MaximumTTL.');
      }
      return { type, weight, idleTtl: String(idle), maximumTtl: String(max) };
    }
    return { type, weight };
  }
  if (type === 'SingleHeader') {
    const headerConfig = raw.SingleHeaderConfig as Record<string, unknown> | undefined;
    const header = String(headerConfig?.Header ?? '');
    const value = String(headerConfig?.Value ?? '');
    if (!/^aws-cf-cd-/i.test(header) || value === '') {
      throw invalid('The header in SingleHeaderConfig must start with "aws-cf-cd-" and have a value.');
    }
    return { type, header, value };
  }
  throw invalid('TrafficConfig Type must be SingleWeight or SingleHeader.');
}

function parsePolicyConfig(body: Buffer): PolicyConfig {
  const root = parser.parse(body.toString('utf8')) as Record<string, Record<string, unknown> | undefined>;
  const config = root.ContinuousDeploymentPolicyConfig;
  if (!config) throw new CloudFrontError(400, 'MalformedInput', 'The request body is not a ContinuousDeploymentPolicyConfig.');
  const names = config.StagingDistributionDnsNames as { Quantity?: string; Items?: { DnsName?: string[] } } | undefined;
  const dnsNames = names?.Items?.DnsName ?? [];
  if (dnsNames.length === 0 || Number(names?.Quantity) !== dnsNames.length) {
    throw invalid('StagingDistributionDnsNames must name the staging distribution, with Quantity matching the Items.');
  }
  if (config.Enabled !== 'true' && config.Enabled !== 'false') throw invalid('Enabled must be true or false.');
  const traffic = parseTrafficConfig(config.TrafficConfig as Record<string, unknown> | undefined);
  return { dnsNames, enabled: config.Enabled === 'true', ...(traffic ? { traffic } : {}) };
}

function trafficXml(traffic: TrafficConfig | undefined): string {
  if (!traffic) return '';
  if (traffic.type === 'SingleHeader') {
    return `<TrafficConfig><SingleHeaderConfig><Header>${escapeXml(traffic.header ?? '')}</Header><Value>${escapeXml(traffic.value ?? '')}</Value></SingleHeaderConfig><Type>SingleHeader</Type></TrafficConfig>`;
  }
  const sticky = traffic.idleTtl
    ? `<SessionStickinessConfig><IdleTTL>${traffic.idleTtl}</IdleTTL><MaximumTTL>${traffic.maximumTtl}</MaximumTTL></SessionStickinessConfig>`
    : '';
  return `<TrafficConfig><SingleWeightConfig><Weight>${traffic.weight}</Weight>${sticky}</SingleWeightConfig><Type>SingleWeight</Type></TrafficConfig>`;
}

function policyConfigXml(config: PolicyConfig, withNamespace = false): string {
  const names = config.dnsNames.map((n) => `<DnsName>${escapeXml(n)}</DnsName>`).join('');
  return (
    `<ContinuousDeploymentPolicyConfig${withNamespace ? ` xmlns="${NS}"` : ''}>` +
    `<StagingDistributionDnsNames><Quantity>${config.dnsNames.length}</Quantity><Items>${names}</Items></StagingDistributionDnsNames>` +
    `<Enabled>${config.enabled}</Enabled>${trafficXml(config.traffic)}</ContinuousDeploymentPolicyConfig>`
  );
}

function policyXml(policy: Policy, tag = 'ContinuousDeploymentPolicy', withNamespace = true): string {
  return `<${tag}${withNamespace ? ` xmlns="${NS}"` : ''}><Id>${policy.id}</Id><LastModifiedTime>${policy.lastModified}</LastModifiedTime>${policyConfigXml(policy.config)}</${tag}>`;
}

/** A top-level element's text in CloudFront's XML, or undefined. */
function element(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return m ? m[1] : undefined;
}

/** Sets (or adds, before the closing DistributionConfig) one element of a DistributionConfig's XML. */
function setElement(xml: string, name: string, inner: string): string {
  const pattern = new RegExp(`<${name}>[\\s\\S]*?</${name}>|<${name}/>`);
  const replacement = `<${name}>${inner}</${name}>`;
  return pattern.test(xml) ? xml.replace(pattern, replacement) : xml.replace('</DistributionConfig>', `${replacement}</DistributionConfig>`);
}

/** The distributions live in moto; the signed request's headers let moto route the call to CloudFront. */
class Moto {
  constructor(
    private readonly upstream: Upstream,
    private readonly request: EmulatorRequest,
    /** Each distribution's current ETag where it differs from moto's (which never changes). */
    private readonly etags: Map<string, string>,
  ) {}

  /** The distribution's current ETag, given the one moto answered with. */
  etagOf(id: string, motoEtag: string): string {
    return this.etags.get(id) ?? motoEtag;
  }

  /** A change was stored: the distribution gets a new ETag, as in CloudFront. */
  changed(id: string): string {
    const etag = newId();
    this.etags.set(id, etag);
    return etag;
  }

  async call(method: string, path: string, body?: string, extra: Record<string, string> = {}): Promise<{ status: number; etag: string; text: string }> {
    const headers: Record<string, string> = { 'content-type': 'application/xml', ...extra };
    for (const name of ['authorization', 'x-amz-date', 'x-amz-security-token']) {
      const value = this.request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const response = await fetch(`${this.upstream.endpoint}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    return { status: response.status, etag: response.headers.get('etag') ?? '', text: await response.text() };
  }

  /** A distribution's config as moto serialises it (the whole `<DistributionConfig …>` document), and its ETag. */
  async config(id: string): Promise<{ xml: string; etag: string }> {
    const answer = await this.call('GET', `${API}/distribution/${id}/config`);
    if (answer.status === 404) throw new CloudFrontError(404, 'NoSuchDistribution', `The specified distribution ${id} does not exist.`);
    if (answer.status !== 200) throw new CloudFrontError(answer.status, 'ServiceUnavailable', `moto answered ${answer.status} for distribution ${id}`);
    const start = answer.text.indexOf('<DistributionConfig');
    return { xml: answer.text.slice(start), etag: this.etagOf(id, answer.etag) };
  }

  async distribution(id: string): Promise<{ status: number; etag: string; text: string }> {
    const answer = await this.call('GET', `${API}/distribution/${id}`);
    return { ...answer, etag: this.etagOf(id, answer.etag) };
  }
}

const isStaging = (configXml: string) => element(configXml, 'Staging') === 'true';

function checkIfMatch(given: string | string[] | undefined, expected: string): void {
  if (typeof given !== 'string' || given === '')
    throw new CloudFrontError(400, 'InvalidIfMatchVersion', 'The If-Match version is missing or not valid for the resource.');
  if (given !== expected)
    throw new CloudFrontError(412, 'PreconditionFailed', 'The precondition given in one or more of the request-header fields evaluated to false.');
}

/** moto's answer to a stored change, with the distribution's new ETag (an error answer as moto gave it). */
function changedAnswer(moto: Moto, id: string, updated: { status: number; etag: string; text: string }): EmulatorAnswer {
  const ok = updated.status >= 200 && updated.status < 300;
  const etag = ok ? moto.changed(id) : updated.etag;
  return { status: updated.status, headers: { 'content-type': 'text/xml', ...(etag ? { etag } : {}) }, body: updated.text };
}

export class CloudFrontContinuousDeployment implements Supplement {
  readonly name = 'CloudFront continuous deployment (CopyDistribution, continuous-deployment policies, UpdateDistributionWithStagingConfig)';
  private readonly policies = new Map<string, Policy>();
  private readonly etags = new Map<string, string>();

  matches(request: Pick<EmulatorRequest, 'method' | 'path' | 'service'>): boolean {
    if (request.service !== undefined && request.service !== 'cloudfront') return false;
    if (POLICY_PATH.test(request.path)) return true;
    const m = DISTRIBUTION_PATH.exec(request.path);
    if (!m) return false;
    return (
      (m[2] === undefined && request.method === 'GET') ||
      (m[2] === 'copy' && request.method === 'POST') ||
      (m[2] === 'promote-staging-config' && request.method === 'PUT') ||
      (m[2] === 'config' && (request.method === 'PUT' || request.method === 'GET'))
    );
  }

  async handle(request: EmulatorRequest, upstream: Upstream): Promise<EmulatorAnswer> {
    try {
      const moto = new Moto(upstream, request, this.etags);
      const policyMatch = POLICY_PATH.exec(request.path);
      if (policyMatch) return await this.policyOperation(request, moto, policyMatch[1], Boolean(policyMatch[2]));
      const [, id = '', action] = DISTRIBUTION_PATH.exec(request.path) ?? [];
      if (request.method === 'GET') return await this.read(request, moto, id, action === 'config');
      if (action === 'copy') return await this.copyDistribution(request, moto, id);
      if (action === 'promote-staging-config') return await this.promote(request, moto, id);
      return await this.updateDistribution(request, moto, id);
    } catch (error) {
      if (error instanceof CloudFrontError) return errorAnswer(error);
      throw error;
    }
  }

  private async policyOperation(request: EmulatorRequest, moto: Moto, id: string | undefined, config: boolean): Promise<EmulatorAnswer> {
    if (!id) {
      if (request.method === 'POST') return this.createPolicy(request, moto);
      if (request.method === 'GET') return this.listPolicies();
      throw new CloudFrontError(405, 'MethodNotAllowed', `${request.method} is not allowed here`);
    }
    const policy = this.policies.get(id);
    if (!policy) throw noSuchPolicy();
    if (request.method === 'GET') {
      return xmlAnswer(200, config ? policyConfigXml(policy.config, true) : policyXml(policy), { etag: policy.etag });
    }
    if (request.method === 'PUT' && !config) {
      checkIfMatch(request.headers['if-match'], policy.etag);
      const next = parsePolicyConfig(request.body);
      this.checkStagingNotInUse(next.dnsNames, id);
      await this.checkStagingNames(moto, next.dnsNames);
      Object.assign(policy, { config: next, etag: newId(), lastModified: new Date().toISOString() });
      return xmlAnswer(200, policyXml(policy), { etag: policy.etag });
    }
    if (request.method === 'DELETE' && !config) {
      checkIfMatch(request.headers['if-match'], policy.etag);
      const attached = await this.distributionsWithPolicy(moto, id);
      if (attached.length > 0) {
        throw new CloudFrontError(
          409,
          'ContinuousDeploymentPolicyInUse',
          `The continuous deployment policy is attached to distribution ${attached.join(', ')}. Detach it first.`,
        );
      }
      this.policies.delete(id);
      return { status: 204 };
    }
    throw new CloudFrontError(405, 'MethodNotAllowed', `${request.method} is not allowed here`);
  }

  private async createPolicy(request: EmulatorRequest, moto: Moto): Promise<EmulatorAnswer> {
    const config = parsePolicyConfig(request.body);
    this.checkStagingNotInUse(config.dnsNames);
    await this.checkStagingNames(moto, config.dnsNames);
    const policy: Policy = { id: newId(36).replace(/^E/, '').toLowerCase(), etag: newId(), lastModified: new Date().toISOString(), config };
    policy.id = `${policy.id.slice(0, 8)}-${policy.id.slice(8, 12)}-${policy.id.slice(12, 16)}-${policy.id.slice(16, 20)}-${policy.id.slice(20, 32)}`;
    this.policies.set(policy.id, policy);
    return xmlAnswer(201, policyXml(policy), {
      etag: policy.etag,
      location: `https://cloudfront.amazonaws.com${API}/continuous-deployment-policy/${policy.id}`,
    });
  }

  private listPolicies(): EmulatorAnswer {
    const items = [...this.policies.values()].map(
      (p) => `<ContinuousDeploymentPolicySummary>${policyXml(p, 'ContinuousDeploymentPolicy', false)}</ContinuousDeploymentPolicySummary>`,
    );
    return xmlAnswer(
      200,
      `<ContinuousDeploymentPolicyList xmlns="${NS}"><MaxItems>100</MaxItems><Quantity>${items.length}</Quantity>${items.length ? `<Items>${items.join('')}</Items>` : ''}</ContinuousDeploymentPolicyList>`,
    );
  }

  /** A staging distribution is in at most one policy (AWS: StagingDistributionInUse). */
  private checkStagingNotInUse(dnsNames: string[], except?: string): void {
    for (const policy of this.policies.values()) {
      if (policy.id === except) continue;
      const shared = policy.config.dnsNames.find((n) => dnsNames.includes(n));
      if (shared)
        throw new CloudFrontError(
          409,
          'StagingDistributionInUse',
          `The staging distribution ${shared} is already in continuous deployment policy ${policy.id}.`,
        );
    }
  }

  /** Every DNS name of a policy must be a staging distribution's. */
  private async checkStagingNames(moto: Moto, dnsNames: string[]): Promise<void> {
    const all = await this.listDistributions(moto);
    for (const name of dnsNames) {
      const found = all.find((d) => d.domainName === name);
      // moto's DistributionSummary leaves out Staging; the config carries it as given.
      const staging = found ? isStaging((await moto.config(found.id)).xml) : false;
      if (!staging) throw invalid(`${name} is not the domain name of a staging distribution.`);
    }
  }

  private async listDistributions(moto: Moto): Promise<{ id: string; domainName: string }[]> {
    const answer = await moto.call('GET', `${API}/distribution`);
    const summaries = answer.text.split('<DistributionSummary>').slice(1);
    return summaries.map((s) => ({ id: element(s, 'Id') ?? '', domainName: element(s, 'DomainName') ?? '' }));
  }

  private async distributionsWithPolicy(moto: Moto, policyId: string): Promise<string[]> {
    const ids = (await this.listDistributions(moto)).map((d) => d.id);
    const attached: string[] = [];
    for (const id of ids) {
      const { xml } = await moto.config(id);
      if (element(xml, 'ContinuousDeploymentPolicyId') === policyId) attached.push(id);
    }
    return attached;
  }

  /** POST /distribution/{id}/copy: a new distribution with the primary's config, `Staging` as asked, no aliases. */
  private async copyDistribution(request: EmulatorRequest, moto: Moto, primaryId: string): Promise<EmulatorAnswer> {
    const primary = await moto.config(primaryId);
    checkIfMatch(request.headers['if-match'], primary.etag);
    if (isStaging(primary.xml)) throw invalid(`Distribution ${primaryId} is a staging distribution; copy a primary distribution.`);
    const body = parser.parse(request.body.toString('utf8')) as { CopyDistributionRequest?: { CallerReference?: string; Enabled?: string } };
    const callerReference = body.CopyDistributionRequest?.CallerReference;
    if (!callerReference) throw new CloudFrontError(400, 'MissingBody', 'CopyDistributionRequest needs a CallerReference.');
    const staging = request.headers.staging === 'true';
    let xml = setElement(primary.xml, 'CallerReference', escapeXml(callerReference));
    xml = setElement(xml, 'Aliases', '<Quantity>0</Quantity>');
    xml = setElement(xml, 'Staging', String(staging));
    xml = setElement(xml, 'ContinuousDeploymentPolicyId', '');
    if (body.CopyDistributionRequest?.Enabled) xml = setElement(xml, 'Enabled', body.CopyDistributionRequest.Enabled === 'true' ? 'true' : 'false');
    const created = await moto.call('POST', `${API}/distribution`, xml);
    return { status: created.status, headers: { 'content-type': 'text/xml', etag: created.etag }, body: created.text };
  }

  /** GET /distribution/{id}(/config): moto's answer with the distribution's current ETag. */
  private async read(request: EmulatorRequest, moto: Moto, id: string, config: boolean): Promise<EmulatorAnswer> {
    const answer = await moto.call('GET', `${API}/distribution/${id}${config ? '/config' : ''}${request.query.size ? `?${request.query}` : ''}`);
    return {
      status: answer.status,
      headers: { 'content-type': 'text/xml', ...(answer.etag ? { etag: moto.etagOf(id, answer.etag) } : {}) },
      body: answer.text,
    };
  }

  /** PUT /distribution/{id}/config, checked for what moto does not check, then stored by moto. */
  private async updateDistribution(request: EmulatorRequest, moto: Moto, id: string): Promise<EmulatorAnswer> {
    const current = await moto.config(id);
    checkIfMatch(request.headers['if-match'], current.etag);
    const next = request.body.toString('utf8');
    const wasStaging = isStaging(current.xml);
    const nowStaging = element(next, 'Staging') === 'true';
    if (wasStaging !== nowStaging) {
      throw new CloudFrontError(400, 'IllegalUpdate', `The Staging value of distribution ${id} cannot change (it is ${wasStaging}).`);
    }
    const policyId = element(next, 'ContinuousDeploymentPolicyId') ?? '';
    if (policyId !== '' && policyId !== (element(current.xml, 'ContinuousDeploymentPolicyId') ?? '')) {
      if (wasStaging) throw invalid(`Distribution ${id} is a staging distribution; attach the continuous deployment policy to its primary.`);
      if (!this.policies.has(policyId)) throw noSuchPolicy();
    }
    const updated = await moto.call('PUT', `${API}/distribution/${id}/config`, next, { 'if-match': current.etag });
    return changedAnswer(moto, id, updated);
  }

  /**
   * PUT /distribution/{id}/promote-staging-config?StagingDistributionId=…: the primary takes the
   * staging's configuration, less what stays the primary's own (CallerReference, Aliases, Staging,
   * ContinuousDeploymentPolicyId), and the policy is disabled. IfMatch names both ETags: `<primary>, <staging>`.
   */
  private async promote(request: EmulatorRequest, moto: Moto, primaryId: string): Promise<EmulatorAnswer> {
    const stagingId = request.query.get('StagingDistributionId') ?? '';
    if (!stagingId) throw invalid('StagingDistributionId is required.');
    const primary = await moto.config(primaryId);
    const staging = await moto.config(stagingId);
    const ifMatch = request.headers['if-match'];
    const [primaryTag, stagingTag] = typeof ifMatch === 'string' ? ifMatch.split(',').map((t) => t.trim()) : [];
    if (!primaryTag || !stagingTag)
      throw new CloudFrontError(400, 'InvalidIfMatchVersion', 'If-Match must carry the primary’s and the staging distribution’s ETags, separated by a comma.');
    checkIfMatch(primaryTag, primary.etag);
    checkIfMatch(stagingTag, staging.etag);
    if (isStaging(primary.xml)) throw invalid(`Distribution ${primaryId} is a staging distribution, not a primary.`);
    if (!isStaging(staging.xml)) throw invalid(`Distribution ${stagingId} is not a staging distribution.`);
    const policyId = element(primary.xml, 'ContinuousDeploymentPolicyId') ?? '';
    const policy = this.policies.get(policyId);
    const stagingDistribution = await moto.distribution(stagingId);
    const stagingDomain = element(stagingDistribution.text, 'DomainName') ?? '';
    if (!policy || !policy.config.dnsNames.includes(stagingDomain)) {
      throw invalid(`Distribution ${primaryId} has no continuous deployment policy with staging distribution ${stagingId}.`);
    }
    let xml = setElement(staging.xml, 'CallerReference', element(primary.xml, 'CallerReference') ?? '');
    xml = setElement(xml, 'Aliases', element(primary.xml, 'Aliases') ?? '<Quantity>0</Quantity>');
    xml = setElement(xml, 'Staging', 'false');
    xml = setElement(xml, 'ContinuousDeploymentPolicyId', policyId);
    const updated = await moto.call('PUT', `${API}/distribution/${primaryId}/config`, xml, { 'if-match': primary.etag });
    // CloudFront disables the policy with the promotion: every viewer is on the primary again.
    if (updated.status === 200) Object.assign(policy, { config: { ...policy.config, enabled: false }, etag: newId(), lastModified: new Date().toISOString() });
    return changedAnswer(moto, primaryId, updated);
  }
}
