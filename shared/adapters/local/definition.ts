import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFINITION_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'statemachine', 'deploy.asl.json');

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

/**
 * Loads statemachine/deploy.asl.json — the file serverless.yml deploys — and replaces the
 * CloudFormation `Fn::GetAtt` resources with function ARNs, which is what CloudFormation does.
 */
export function loadDefinition(options: { region?: string; stage?: string } = {}): Record<string, unknown> & {
  States: Record<string, { Type: string; Resource?: Json }>;
} {
  const region = options.region ?? 'us-east-1';
  const stage = options.stage ?? 'local';
  const raw = readRaw();
  const resolve = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(resolve);
    if (node && typeof node === 'object') {
      const getAtt = node['Fn::GetAtt'];
      if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') {
        return `arn:aws:lambda:${region}:${LOCAL_ACCOUNT}:function:slipway-${stage}-${getAtt[0]}`;
      }
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, resolve(v)]));
    }
    return node;
  };
  return resolve(raw) as ReturnType<typeof loadDefinition>;
}
