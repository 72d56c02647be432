import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFINITION_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', 'statemachine', 'deploy.asl.json');

export const LOCAL_ACCOUNT = '123456789012';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function readRaw(): Json {
  return JSON.parse(readFileSync(DEFINITION_PATH, 'utf8')) as Json;
}

type StateJson = { Type: string; Resource?: Json; ItemProcessor?: { States: Record<string, StateJson> } };

/** The function key (serverless.yml) behind each Task state, Map iterations' included: `{"Fn::GetAtt": [key, "Arn"]}`. */
export function taskFunctions(): Record<string, string> {
  const map: Record<string, string> = {};
  const visit = (states: Record<string, StateJson>) => {
    for (const [name, state] of Object.entries(states)) {
      if (state.ItemProcessor) visit(state.ItemProcessor.States);
      if (state.Type !== 'Task') continue;
      const resource = state.Resource as { 'Fn::GetAtt'?: [string, string] } | undefined;
      if (!resource?.['Fn::GetAtt']) throw new Error(`Task state ${name} does not name its function with Fn::GetAtt`);
      map[name] = resource['Fn::GetAtt'][0];
    }
  };
  visit((readRaw() as unknown as { States: Record<string, StateJson> }).States);
  return map;
}

/** Chunks staged at once by a Map state on one machine (the emulator is one process). */
export const LOCAL_MAP_CONCURRENCY = 4;

/** Fields only a Distributed Map has; an inline Map must not carry them. */
const DISTRIBUTED_ONLY = ['Label', 'ToleratedFailurePercentage', 'ToleratedFailurePercentagePath', 'ToleratedFailureCount', 'ToleratedFailureCountPath', 'ItemBatcher', 'ResultWriter'];

/**
 * A Distributed Map (one child execution per item, in AWS) becomes an inline Map with a local
 * concurrency: the iterations, their input and their Task states are the same.
 */
function inlineMap(node: { [key: string]: Json }, concurrency: number): { [key: string]: Json } {
  const processor = node['ItemProcessor'] as { [key: string]: Json } | undefined;
  const config = processor?.['ProcessorConfig'] as { Mode?: Json } | undefined;
  if (node['Type'] !== 'Map' || config?.Mode !== 'DISTRIBUTED') return node;
  if (node['ItemReader']) throw new Error('a Distributed Map that reads its items from S3 has no inline equivalent here');
  const inline = Object.fromEntries(Object.entries(node).filter(([key]) => !DISTRIBUTED_ONLY.includes(key)));
  return {
    ...inline,
    MaxConcurrency: Math.min(concurrency, typeof node['MaxConcurrency'] === 'number' ? node['MaxConcurrency'] : concurrency),
    ItemProcessor: { ...processor, ProcessorConfig: { Mode: 'INLINE' } },
  };
}

/**
 * Loads statemachine/deploy.asl.json — the file serverless.yml deploys — and replaces the
 * CloudFormation `Fn::GetAtt` resources with function ARNs, which is what CloudFormation does.
 * Distributed Maps run inline (aws-local-stepfunctions has no child executions), at most
 * `mapConcurrency` iterations at once.
 */
export function loadDefinition(options: { region?: string; stage?: string; mapConcurrency?: number } = {}): Record<string, unknown> & {
  States: Record<string, { Type: string; Resource?: Json }>;
} {
  const region = options.region ?? 'us-east-1';
  const stage = options.stage ?? 'local';
  const mapConcurrency = options.mapConcurrency ?? LOCAL_MAP_CONCURRENCY;
  const raw = readRaw();
  const resolve = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(resolve);
    if (node && typeof node === 'object') {
      const getAtt = node['Fn::GetAtt'];
      if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') {
        return `arn:aws:lambda:${region}:${LOCAL_ACCOUNT}:function:slipway-${stage}-${getAtt[0]}`;
      }
      return Object.fromEntries(Object.entries(inlineMap(node, mapConcurrency)).map(([k, v]) => [k, resolve(v)]));
    }
    return node;
  };
  return resolve(raw) as ReturnType<typeof loadDefinition>;
}
