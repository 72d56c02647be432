/**
 * The packaged IAM roles, evaluated with @cloud-copilot/iam-simulate.
 *
 * The template names slipway's own resources through intrinsic functions (`!GetAtt SlipwayTable.Arn`,
 * `!Sub '${ArtifactBucket.Arn}/releases/*'`, `!Ref DeployStateMachine`). Tests create a fresh
 * table, bucket, bus and queue per world, under unique names. So each role is resolved once into a
 * policy with placeholders for those resources, and bound per request to the names the request
 * itself carries:
 * - the table, event bus, queue and state machine: whichever one the request names (slipway has one
 *   of each, so a function touching a table touches "the" table);
 * - the artifact bucket: a bucket registered as one (the proxy's `/__strict-aws/artifact-buckets`,
 *   or learned when a bucket's notifications are pointed at a queue, as provisioning does). Any other
 *   bucket is a site bucket, reached only through the `*Pattern` params.
 * Bound policies and decisions are cached: most requests are answered from a Map.
 */
import { runSimulation, runUnsafeSimulation } from '@cloud-copilot/iam-simulate';
import { createValidatedPolicy, validateIdentityPolicy } from '@cloud-copilot/iam-policy';
import { ACCOUNT_ID, type Authorization, type ResourceNames } from './operations.js';

type Template = {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  Conditions?: Record<string, unknown>;
  Parameters?: Record<string, { Default?: unknown }>;
};

/** What `!Ref AWS::NoValue` leaves: the element is dropped from its list or object. */
const NO_VALUE = Symbol('AWS::NoValue');

const TOKEN = (name: string) => `{{strict-aws:${name}}}`;
const TOKENS = {
  region: TOKEN('region'),
  table: TOKEN('table'),
  bucket: TOKEN('artifactBucket'),
  bus: TOKEN('bus'),
  queue: TOKEN('queue'),
  stateMachine: TOKEN('stateMachineArn'),
};
/** What a placeholder becomes when the request names no such resource: it matches nothing real. */
const UNBOUND = 'strict-aws-unbound';

export interface PackagedRole {
  functionKey: string;
  roleName: string;
  /** The role's inline policies, with placeholders. */
  policies: { name: string; text: string }[];
}

/** Reads each function's role from a packaged template: function key -> role. */
export function rolesFromTemplate(template: Template, stage: string): Map<string, PackagedRole> {
  const resolver = new IntrinsicResolver(template);
  const roles = new Map<string, PackagedRole>();
  for (const [, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const props = resource.Properties ?? {};
    const functionKey = String(props.FunctionName ?? '').replace(`slipway-${stage}-`, '');
    const roleRef = props.Role as { 'Fn::GetAtt'?: [string, string] } | undefined;
    const roleName = roleRef?.['Fn::GetAtt']?.[0];
    if (!roleName) throw new Error(`function ${functionKey} has no role of its own in the template (Role: ${JSON.stringify(props.Role)})`);
    const role = template.Resources[roleName];
    if (role?.Type !== 'AWS::IAM::Role') throw new Error(`function ${functionKey}'s role ${roleName} is not an AWS::IAM::Role in the template`);
    const rp = role.Properties ?? {};
    if (Array.isArray(rp.ManagedPolicyArns) && rp.ManagedPolicyArns.length > 0) {
      throw new Error(`role ${roleName} has managed policies, which the strict-aws proxy cannot read: inline them or teach roles.ts`);
    }
    const policies = ((rp.Policies ?? []) as { PolicyName: string; PolicyDocument: unknown }[]).map((p) => ({
      name: p.PolicyName,
      text: JSON.stringify(resolver.resolve(p.PolicyDocument)),
    }));
    roles.set(functionKey, { functionKey, roleName, policies });
  }
  return roles;
}

/** Resolves Ref, Fn::GetAtt, Fn::Sub and Fn::Join to strings, with placeholders for the test's names. */
class IntrinsicResolver {
  constructor(private readonly template: Template) {}

  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v)).filter((v) => v !== NO_VALUE);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [fn, arg] = entries[0]!;
      if (fn === 'Ref' && arg === 'AWS::NoValue') return NO_VALUE;
      // Conditions are evaluated with the parameters' defaults: what `serverless package` without
      // --param deploys (siteKmsKeyArns empty, say).
      if (fn === 'Ref' && this.template.Parameters?.[String(arg)]) return this.template.Parameters[String(arg)]!.Default ?? '';
      if (fn === 'Fn::If') {
        const [condition, then, otherwise] = arg as [string, unknown, unknown];
        return this.resolve(this.condition(condition) ? then : otherwise);
      }
      if (fn === 'Ref') return this.ref(String(arg));
      if (fn === 'Fn::GetAtt') {
        const [name, attribute] = Array.isArray(arg) ? (arg as string[]) : String(arg).split('.');
        return this.getAtt(name!, attribute!);
      }
      if (fn === 'Fn::Sub') return this.sub(arg);
      if (fn === 'Fn::Join') {
        const [separator, parts] = arg as [string, unknown[]];
        const resolved = this.resolve(parts);
        // A CommaDelimitedList parameter's default is a string: one part, or none when empty.
        const list = Array.isArray(resolved) ? resolved : resolved === '' ? [] : [resolved];
        return list.map(String).join(separator);
      }
      if (fn.startsWith('Fn::')) throw new Error(`strict-aws cannot resolve ${fn} in a role policy: teach roles.ts`);
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, this.resolve(v)]).filter(([, v]) => v !== NO_VALUE));
  }

  private condition(name: string): boolean {
    const definition = this.template.Conditions?.[name];
    if (definition === undefined) throw new Error(`the template uses condition ${name}, which it does not define`);
    return this.truth(definition);
  }

  private truth(value: unknown): boolean {
    const [fn, arg] = Object.entries(value as Record<string, unknown>)[0] ?? [];
    if (fn === 'Condition') return this.condition(String(arg));
    if (fn === 'Fn::Not') return !this.truth((arg as unknown[])[0]);
    if (fn === 'Fn::And') return (arg as unknown[]).every((v) => this.truth(v));
    if (fn === 'Fn::Or') return (arg as unknown[]).some((v) => this.truth(v));
    if (fn === 'Fn::Equals') {
      const [a, b] = (arg as unknown[]).map((v) => JSON.stringify(this.resolve(v)));
      return a === b;
    }
    throw new Error(`strict-aws cannot evaluate ${String(fn)} in a condition: teach roles.ts`);
  }

  private sub(arg: unknown): string {
    const [text, variables] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [String(arg), {}];
    return text.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
      if (name in variables) return String(this.resolve(variables[name]));
      const dot = name.indexOf('.');
      return dot > 0 && !name.startsWith('AWS::') ? this.getAtt(name.slice(0, dot), name.slice(dot + 1)) : this.ref(name);
    });
  }

  private type(name: string): string {
    const resource = this.template.Resources[name];
    if (!resource) throw new Error(`the template references ${name}, which it does not define`);
    return resource.Type;
  }

  private ref(name: string): string {
    switch (name) {
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::Region':
        return TOKENS.region;
      case 'AWS::AccountId':
        return ACCOUNT_ID;
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
    }
    switch (this.type(name)) {
      case 'AWS::DynamoDB::Table':
        return TOKENS.table;
      case 'AWS::S3::Bucket':
        return TOKENS.bucket;
      case 'AWS::Events::EventBus':
        return TOKENS.bus;
      case 'AWS::StepFunctions::StateMachine':
        return TOKENS.stateMachine;
      case 'AWS::SQS::Queue':
        return `https://sqs.${TOKENS.region}.amazonaws.com/${ACCOUNT_ID}/${TOKENS.queue}`;
      default:
        throw new Error(`strict-aws cannot resolve Ref ${name} (${this.type(name)}): teach roles.ts`);
    }
  }

  private getAtt(name: string, attribute: string): string {
    const type = this.type(name);
    const props = this.template.Resources[name]!.Properties ?? {};
    switch (`${type}.${attribute}`) {
      case 'AWS::DynamoDB::Table.Arn':
        return `arn:aws:dynamodb:${TOKENS.region}:${ACCOUNT_ID}:table/${TOKENS.table}`;
      case 'AWS::S3::Bucket.Arn':
        return `arn:aws:s3:::${TOKENS.bucket}`;
      case 'AWS::Events::EventBus.Arn':
        return `arn:aws:events:${TOKENS.region}:${ACCOUNT_ID}:event-bus/${TOKENS.bus}`;
      case 'AWS::Events::EventBus.Name':
        return TOKENS.bus;
      case 'AWS::SQS::Queue.Arn':
        return `arn:aws:sqs:${TOKENS.region}:${ACCOUNT_ID}:${TOKENS.queue}`;
      case 'AWS::StepFunctions::StateMachine.Arn':
        return TOKENS.stateMachine;
      case 'AWS::Logs::LogGroup.Arn':
        return `arn:aws:logs:${TOKENS.region}:${ACCOUNT_ID}:log-group:${String(props.LogGroupName ?? name)}:*`;
      default:
        throw new Error(`strict-aws cannot resolve Fn::GetAtt ${name}.${attribute} (${type}): teach roles.ts`);
    }
  }
}

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

export interface Evaluation {
  decision: Decision;
  /** Set when the evaluator refused the request (an unknown action, a resource of the wrong type). */
  error?: string;
}

export interface Binding {
  region: string;
  names: ResourceNames;
  artifactBuckets: ReadonlySet<string>;
}

/** Evaluates authorizations against the packaged roles, caching bound policies and decisions. */
export class RoleEvaluator {
  readonly #bound = new Map<string, ReturnType<typeof createValidatedPolicy>[]>();
  readonly #decisions = new Map<string, Promise<Evaluation>>();

  constructor(private readonly roles: ReadonlyMap<string, PackagedRole>) {}

  has(functionKey: string): boolean {
    return this.roles.has(functionKey);
  }

  roleName(functionKey: string): string | undefined {
    return this.roles.get(functionKey)?.roleName;
  }

  evaluate(functionKey: string, authorization: Authorization, binding: Binding): Promise<Evaluation> {
    const role = this.roles.get(functionKey);
    if (!role) return Promise.resolve({ decision: 'ImplicitlyDenied', error: `no packaged function named ${functionKey}` });
    const values = bindingValues(binding);
    const bindingKey = `${functionKey}|${Object.values(values).join('|')}`;
    const key = `${bindingKey}|${authorization.action}|${authorization.resource}|${JSON.stringify(authorization.context)}`;
    let decision = this.#decisions.get(key);
    if (!decision) {
      decision = this.#simulate(role, bindingKey, values, authorization);
      this.#decisions.set(key, decision);
    }
    return decision;
  }

  async #simulate(role: PackagedRole, bindingKey: string, values: Record<string, string>, authorization: Authorization): Promise<Evaluation> {
    let policies = this.#bound.get(bindingKey);
    if (!policies) {
      policies = role.policies.map((p) => {
        let text = p.text;
        for (const [token, value] of Object.entries(values)) text = text.replaceAll(token, value);
        const validated = createValidatedPolicy(JSON.parse(text), validateIdentityPolicy);
        if (validated.errors.length > 0) throw new Error(`role ${role.roleName} policy ${p.name} is invalid: ${JSON.stringify(validated.errors)}`);
        return validated;
      });
      this.#bound.set(bindingKey, policies);
    }
    const simulation = {
      request: {
        principal: `arn:aws:iam::${ACCOUNT_ID}:role/${role.roleName}`,
        action: authorization.action,
        resource: { resource: authorization.resource, accountId: ACCOUNT_ID },
        contextVariables: authorization.context,
      },
      identityPolicies: policies.map((policy, i) => ({ name: role.policies[i]!.name, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(authorization.resourcePolicy ? { resourcePolicy: authorization.resourcePolicy } : {}),
    };
    const result = await runSimulation(simulation, {});
    if (result.resultType === 'error') {
      // Lambda's provisioned-concurrency actions take a "function alias" or a "function version",
      // two resource types with the same ARN (`function:<name>:<qualifier>`) and the same condition
      // keys: the evaluator cannot pick one, yet the policy decides alike for either. Evaluated
      // without the resource-type lookup then (the request was validated above in every other way).
      if (JSON.stringify(result.errors) === JSON.stringify({ message: 'multiple.resource.types' }) && authorization.action.startsWith('lambda:')) {
        return { decision: runUnsafeSimulation(simulation, {}) as Decision };
      }
      return { decision: 'ImplicitlyDenied', error: `the evaluator refused the request: ${JSON.stringify(result.errors)}` };
    }
    return { decision: result.overallResult as Decision };
  }
}

function bindingValues(binding: Binding): Record<string, string> {
  const { names } = binding;
  return {
    [TOKENS.region]: binding.region,
    [TOKENS.table]: names.tables[0] ?? UNBOUND,
    [TOKENS.bucket]: names.buckets.find((b) => binding.artifactBuckets.has(b)) ?? UNBOUND,
    [TOKENS.bus]: names.buses[0] ?? UNBOUND,
    [TOKENS.queue]: names.queues[0] ?? UNBOUND,
    [TOKENS.stateMachine]: names.stateMachines[0] ?? `arn:aws:states:${binding.region}:${ACCOUNT_ID}:stateMachine:${UNBOUND}`,
  };
}
