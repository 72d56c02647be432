/**
 * Lambda's provisioned concurrency, which moto 5 does not implement: PutProvisionedConcurrencyConfig,
 * GetProvisionedConcurrencyConfig, DeleteProvisionedConcurrencyConfig and
 * ListProvisionedConcurrencyConfigs over Lambda's REST-JSON protocol
 * (`/2019-09-30/functions/{FunctionName}/provisioned-concurrency?Qualifier=…`, `?List=ALL`).
 *
 * What it models, as AWS answers it:
 * - a Put answers 202 with `IN_PROGRESS`; the allocation reads `READY` (all of it allocated and
 *   available) once `readyAfterMs` have passed;
 * - `$LATEST` is refused (InvalidParameterValueException), a version or alias moto does not have is
 *   ResourceNotFoundException (moto is asked), an alias with routing weights is refused
 *   (ResourceConflictException), and so is a Put while the same qualifier's allocation is in progress;
 * - Get of a qualifier without a configuration is ProvisionedConcurrencyConfigNotFoundException (404).
 *
 * What it does not: real initialisation (no code runs), account concurrency limits, the split of an
 * alias's allocation over two weighted versions, Application Auto Scaling.
 *
 * A test makes an allocation fail (an init failure) through the control route, unsigned, as
 * `POST /__emulator/lambda/provisioned-concurrency` with
 * `{ "functionName": "…", "qualifier"?: "2", "readyAfterMs"?: 100, "failWith"?: "reason" | null }`:
 * the next allocations on that function (or that one qualifier) behave so. docs/dev.md documents it.
 */
import type { EmulatorAnswer, EmulatorRequest, Supplement, Upstream } from './front.js';

const ACCOUNT_ID = '123456789012';
const OPERATIONS = /^\/2019-09-30\/functions\/([^/]+)\/provisioned-concurrency\/?$/;
export const PROVISIONED_CONCURRENCY_CONTROL_PATH = '/__emulator/lambda/provisioned-concurrency';

export interface ProvisionedConcurrencyOptions {
  /** How long an allocation stays IN_PROGRESS before READY, unless a behaviour says otherwise. */
  readyAfterMs?: number;
  now?: () => number;
}

interface Allocation {
  requested: number;
  putAt: number;
  readyAfterMs: number;
  failWith?: string;
  lastModified: string;
}

interface Behaviour {
  readyAfterMs?: number;
  failWith?: string | null;
}

type Status = 'IN_PROGRESS' | 'READY' | 'FAILED';

/** Lambda's error shape: the type in `x-amzn-errortype` and the body, the words in `message`. */
function lambdaError(status: number, type: string, message: string): EmulatorAnswer {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': type },
    body: JSON.stringify({ __type: type, Type: 'User', message }),
  };
}

function json(status: number, body: unknown): EmulatorAnswer {
  return { status, headers: { 'content-type': 'application/json' }, body: body === undefined ? '' : JSON.stringify(body) };
}

/** `hello`, `arn:aws:lambda:…:function:hello` or `123456789012:function:hello` → `hello`. */
function functionNameOf(raw: string): string {
  const name = decodeURIComponent(raw);
  const parts = name.split(':');
  const at = parts.indexOf('function');
  return (at >= 0 ? parts[at + 1] : undefined) || name;
}

export class ProvisionedConcurrencySupplement implements Supplement {
  readonly name = 'Lambda provisioned concurrency (Put/Get/Delete/ListProvisionedConcurrencyConfigs)';
  private readonly allocations = new Map<string, Allocation>();
  private readonly behaviours = new Map<string, Behaviour>();
  private readonly readyAfterMs: number;
  private readonly now: () => number;

  constructor(options: ProvisionedConcurrencyOptions = {}) {
    this.readyAfterMs = options.readyAfterMs ?? 2000;
    this.now = options.now ?? Date.now;
  }

  matches(request: Pick<EmulatorRequest, 'method' | 'path' | 'service'>): boolean {
    if (request.path === PROVISIONED_CONCURRENCY_CONTROL_PATH) return request.method === 'POST';
    return request.service === 'lambda' && OPERATIONS.test(request.path);
  }

  async handle(request: EmulatorRequest, upstream: Upstream): Promise<EmulatorAnswer> {
    if (request.path === PROVISIONED_CONCURRENCY_CONTROL_PATH) return this.control(request);
    const fn = functionNameOf(OPERATIONS.exec(request.path)?.[1] ?? '');
    const region = request.region;
    const functionArn = `arn:aws:lambda:${region}:${ACCOUNT_ID}:function:${fn}`;
    if (request.method === 'GET' && request.query.get('List') === 'ALL') {
      if (!(await this.exists(upstream, region, fn))) return lambdaError(404, 'ResourceNotFoundException', `Function not found: ${functionArn}`);
      return json(200, this.list(region, fn, functionArn, request.query));
    }
    const qualifier = request.query.get('Qualifier') ?? '';
    if (!qualifier) return lambdaError(400, 'InvalidParameterValueException', 'The Qualifier parameter is required for provisioned concurrency.');
    if (qualifier === '$LATEST') {
      return lambdaError(400, 'InvalidParameterValueException', 'Provisioned Concurrency Configs cannot be applied to unpublished function versions.');
    }
    const target = await this.qualifierOf(upstream, region, fn, qualifier);
    if (!target) return lambdaError(404, 'ResourceNotFoundException', `Function not found: ${functionArn}:${qualifier}`);
    const key = `${region}:${fn}:${qualifier}`;
    switch (request.method) {
      case 'PUT':
        return this.put(request, key, fn, qualifier, target.weighted, `${functionArn}:${qualifier}`);
      case 'GET': {
        const allocation = this.allocations.get(key);
        if (!allocation) return lambdaError(404, 'ProvisionedConcurrencyConfigNotFoundException', 'No Provisioned Concurrency Config found for this function');
        return json(200, this.describe(allocation));
      }
      case 'DELETE':
        if (!this.allocations.delete(key)) return lambdaError(404, 'ResourceNotFoundException', 'No Provisioned Concurrency Config found for this function');
        return json(204, undefined);
      default:
        return lambdaError(405, 'InvalidParameterValueException', `${request.method} is not an operation of provisioned concurrency`);
    }
  }

  private put(request: EmulatorRequest, key: string, fn: string, qualifier: string, weighted: boolean, arn: string): EmulatorAnswer {
    let requested: unknown;
    try {
      requested = (JSON.parse(request.body.toString('utf8') || '{}') as { ProvisionedConcurrentExecutions?: unknown }).ProvisionedConcurrentExecutions;
    } catch {
      return lambdaError(400, 'InvalidRequestContentException', 'Could not parse request body into json');
    }
    if (typeof requested !== 'number' || !Number.isInteger(requested) || requested < 1) {
      return lambdaError(
        400,
        'InvalidParameterValueException',
        `1 validation error detected: Value '${String(requested)}' at 'provisionedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 1`,
      );
    }
    if (weighted) return lambdaError(409, 'ResourceConflictException', 'Alias with weights can not be used with Provisioned Concurrency');
    const existing = this.allocations.get(key);
    if (existing && this.status(existing) === 'IN_PROGRESS') {
      return lambdaError(409, 'ResourceConflictException', `The operation cannot be performed at this time. An update is in progress for resource: ${arn}`);
    }
    const behaviour = { ...this.behaviours.get(`${request.region}:${fn}`), ...this.behaviours.get(`${request.region}:${fn}:${qualifier}`) };
    const allocation: Allocation = {
      requested,
      putAt: this.now(),
      readyAfterMs: behaviour.readyAfterMs ?? this.readyAfterMs,
      ...(behaviour.failWith ? { failWith: behaviour.failWith } : {}),
      lastModified: new Date(this.now()).toISOString().replace('Z', '+0000'),
    };
    this.allocations.set(key, allocation);
    return json(202, this.describe(allocation));
  }

  private list(region: string, fn: string, functionArn: string, query: URLSearchParams) {
    const prefix = `${region}:${fn}:`;
    const all = [...this.allocations.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, allocation]) => ({ FunctionArn: `${functionArn}:${key.slice(prefix.length)}`, ...this.describe(allocation) }))
      .sort((a, b) => a.FunctionArn.localeCompare(b.FunctionArn));
    const start = Number(query.get('Marker') ?? 0) || 0;
    const max = Math.min(50, Math.max(1, Number(query.get('MaxItems') ?? 50) || 50));
    const page = all.slice(start, start + max);
    return { ProvisionedConcurrencyConfigs: page, ...(start + max < all.length ? { NextMarker: String(start + max) } : {}) };
  }

  private status(allocation: Allocation): Status {
    if (this.now() - allocation.putAt < allocation.readyAfterMs) return 'IN_PROGRESS';
    return allocation.failWith ? 'FAILED' : 'READY';
  }

  private describe(allocation: Allocation) {
    const status = this.status(allocation);
    const ready = status === 'READY' ? allocation.requested : 0;
    return {
      RequestedProvisionedConcurrentExecutions: allocation.requested,
      AvailableProvisionedConcurrentExecutions: ready,
      AllocatedProvisionedConcurrentExecutions: ready,
      Status: status,
      ...(status === 'FAILED' ? { StatusReason: allocation.failWith } : {}),
      LastModified: allocation.lastModified,
    };
  }

  private control(request: EmulatorRequest): EmulatorAnswer {
    let body: { functionName?: unknown; qualifier?: unknown; readyAfterMs?: unknown; failWith?: unknown };
    try {
      body = JSON.parse(request.body.toString('utf8') || '{}') as typeof body;
    } catch {
      return json(400, { message: 'the body must be JSON: { "functionName", "qualifier"?, "readyAfterMs"?, "failWith"? }' });
    }
    if (typeof body.functionName !== 'string' || !body.functionName) return json(400, { message: 'functionName (a string) is required' });
    if (body.readyAfterMs !== undefined && (typeof body.readyAfterMs !== 'number' || body.readyAfterMs < 0)) {
      return json(400, { message: 'readyAfterMs must be a number of milliseconds, 0 or more' });
    }
    if (body.failWith !== undefined && body.failWith !== null && typeof body.failWith !== 'string') {
      return json(400, { message: 'failWith must be the StatusReason of the failure (a string), or null to allocate normally again' });
    }
    const key = `${request.region}:${body.functionName}${typeof body.qualifier === 'string' && body.qualifier ? `:${body.qualifier}` : ''}`;
    const behaviour: Behaviour = {
      ...this.behaviours.get(key),
      ...(body.readyAfterMs !== undefined ? { readyAfterMs: body.readyAfterMs as number } : {}),
      ...(body.failWith !== undefined ? { failWith: body.failWith as string | null } : {}),
    };
    this.behaviours.set(key, behaviour);
    return json(200, { functionName: body.functionName, ...(typeof body.qualifier === 'string' ? { qualifier: body.qualifier } : {}), ...behaviour });
  }

  /** Whether moto has the function. */
  private async exists(upstream: Upstream, region: string, fn: string): Promise<boolean> {
    return (await askMoto(upstream, region, `/2015-03-31/functions/${encodeURIComponent(fn)}`)).status === 200;
  }

  /** The version or alias as moto has it (an alias: whether it splits traffic), or undefined when it has none. */
  private async qualifierOf(upstream: Upstream, region: string, fn: string, qualifier: string): Promise<{ weighted: boolean } | undefined> {
    if (/^\d+$/.test(qualifier)) {
      const got = await askMoto(upstream, region, `/2015-03-31/functions/${encodeURIComponent(fn)}/configuration?Qualifier=${qualifier}`);
      if (got.status !== 200) return undefined;
      // moto answers an unknown version with $LATEST's configuration rather than a 404.
      return (got.body as { Version?: string }).Version === qualifier ? { weighted: false } : undefined;
    }
    const alias = await askMoto(upstream, region, `/2015-03-31/functions/${encodeURIComponent(fn)}/aliases/${encodeURIComponent(qualifier)}`);
    // moto answers GetAlias with 201 (AWS: 200): any 2xx is the alias.
    if (alias.status < 200 || alias.status > 299) return undefined;
    const weights = (alias.body as { RoutingConfig?: { AdditionalVersionWeights?: Record<string, number> } }).RoutingConfig?.AdditionalVersionWeights ?? {};
    return { weighted: Object.keys(weights).length > 0 };
  }
}

/** A GET to moto itself, with a credential scope naming the region (moto keeps state per region; it checks no signature). */
async function askMoto(upstream: Upstream, region: string, path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${upstream.endpoint}${path}`, {
    headers: { authorization: `AWS4-HMAC-SHA256 Credential=emulator/20260101/${region}/lambda/aws4_request, SignedHeaders=host, Signature=0` },
  });
  const text = await res.text();
  let body: unknown = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    // not JSON: only the status matters then
  }
  return { status: res.status, body };
}
