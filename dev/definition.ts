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
const DISTRIBUTED_ONLY = [
  'Label',
  'ToleratedFailurePercentage',
  'ToleratedFailurePercentagePath',
  'ToleratedFailureCount',
  'ToleratedFailureCountPath',
  'ItemBatcher',
  'ResultWriter',
  'ItemReader',
];
/** Fields of a Map that its local Parallel wrapper takes over: how the state ends and fails. */
const WRAPPER_FIELDS = ['Comment', 'Retry', 'Catch', 'Next', 'End'];

/** The local Task that reads a Distributed Map's items from S3, and the inline Map that runs them. */
export const itemReaderStateName = (mapName: string): string => `Read${mapName}Items`;
export const inlineMapStateName = (mapName: string): string => `${mapName}Items`;

/**
 * A Distributed Map (one child execution per item, in AWS) becomes an inline Map with a local
 * concurrency: the iterations, their input and their Task states are the same.
 *
 * One that reads its items from S3 (ItemReader) becomes a Parallel state of the same name, with the
 * Map's Retry, Catch and Next, whose one branch runs a Task reading the items (itemReaderStateName,
 * handled by readItemsTask) and then the inline Map over them. The branch's data is
 * `{ state, items }`; the Parallel's result is dropped (the Map must have `ResultPath: null`), so
 * what follows sees the Map's input unchanged and never the items, as in AWS, where they are not
 * state data either. A Catch applies to the Parallel's input, which is the Map's.
 */
function localMap(name: string, node: { [key: string]: Json }, concurrency: number): { [key: string]: Json } {
  const processor = node['ItemProcessor'] as { [key: string]: Json } | undefined;
  const config = processor?.['ProcessorConfig'] as { Mode?: Json } | undefined;
  if (node['Type'] !== 'Map' || config?.Mode !== 'DISTRIBUTED') return node;
  const inline: { [key: string]: Json } = {
    ...Object.fromEntries(Object.entries(node).filter(([key]) => !DISTRIBUTED_ONLY.includes(key))),
    MaxConcurrency: Math.min(concurrency, typeof node['MaxConcurrency'] === 'number' ? node['MaxConcurrency'] : concurrency),
    ItemProcessor: { ...processor, ProcessorConfig: { Mode: 'INLINE' } },
  };
  const reader = node['ItemReader'] as { [key: string]: Json } | undefined;
  if (!reader) return inline;

  for (const field of ['ItemsPath', 'InputPath', 'OutputPath', 'ResultSelector']) {
    if (field in node) throw new Error(`Map ${name}: ${field} next to an ItemReader has no local equivalent here`);
  }
  if (node['ResultPath'] !== null) throw new Error(`Map ${name} reads its items from S3: locally it needs "ResultPath": null (its results are dropped)`);
  const config_ = reader['ReaderConfig'] as { InputType?: Json } | undefined;
  if (reader['Resource'] !== 'arn:aws:states:::s3:getObject' || config_?.InputType !== 'JSON') {
    throw new Error(`Map ${name}: only an ItemReader of a JSON array (s3:getObject, InputType JSON) runs locally`);
  }
  const map = Object.fromEntries(Object.entries(inline).filter(([key]) => !WRAPPER_FIELDS.includes(key) && key !== 'ResultPath'));
  return {
    Type: 'Parallel',
    ...(node['Comment'] !== undefined ? { Comment: node['Comment'] } : {}),
    Branches: [
      {
        StartAt: itemReaderStateName(name),
        States: {
          [itemReaderStateName(name)]: {
            Type: 'Task',
            Comment: `Locally: what ${name}'s ItemReader reads in AWS, with the Map's input kept beside it.`,
            Resource: reader['Resource'],
            Parameters: { 'state.$': '$', ...readerLocation(name, reader['Parameters']) },
            Next: inlineMapStateName(name),
          },
          [inlineMapStateName(name)]: {
            ...map,
            ItemsPath: '$.items',
            ...(map['ItemSelector'] ? { ItemSelector: underState(map['ItemSelector']) } : { ItemSelector: { 'value.$': '$$.Map.Item.Value' } }),
            ResultPath: null,
            End: true,
          },
        },
      },
    ],
    ResultPath: null,
    ...Object.fromEntries(WRAPPER_FIELDS.filter((key) => key !== 'Comment' && key in node).map((key) => [key, node[key]])),
  };
}

/**
 * The local reader's `bucket` and `key` from the ItemReader's Parameters. A bucket that is a
 * CloudFormation reference (`{"Ref": "ArtifactBucket"}`: a literal bucket keeps the state machine
 * role scoped to it) has no name locally; the state carries the object's reference
 * (`{ bucket, key }`), so it is read at the `bucket` beside the `Key.$` path.
 */
function readerLocation(name: string, parameters: Json | undefined): { [key: string]: Json } {
  const p = (parameters ?? {}) as { [key: string]: Json };
  const keyPath = p['Key.$'];
  const key: { [key: string]: Json } = typeof keyPath === 'string' ? { 'key.$': keyPath } : typeof p['Key'] === 'string' ? { key: p['Key'] } : {};
  if (!('key' in key) && !('key.$' in key)) throw new Error(`Map ${name}: its ItemReader names no Key`);
  if (typeof p['Bucket.$'] === 'string') return { 'bucket.$': p['Bucket.$'], ...key };
  if (typeof p['Bucket'] === 'string') return { bucket: p['Bucket'], ...key };
  if (typeof keyPath === 'string' && keyPath.endsWith('.key')) return { 'bucket.$': `${keyPath.slice(0, -'.key'.length)}.bucket`, ...key };
  throw new Error(`Map ${name}: its ItemReader's Bucket is a reference; locally the state must carry it beside Key.$ ("<path>.bucket", "<path>.key")`);
}

/** An ItemSelector whose paths into the Map's input now point into `$.state` (the branch holds `{ state, items }`). */
function underState(node: Json): Json {
  if (Array.isArray(node)) return node.map(underState);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => {
      if (!key.endsWith('.$') || typeof value !== 'string' || value.startsWith('$$')) return [key, underState(value)];
      if (value === '$') return [key, '$.state'];
      if (value.startsWith('$.') || value.startsWith('$[')) return [key, `$.state${value.slice(1)}`];
      throw new Error(`ItemSelector field ${key} (${value}) cannot be rewritten for the local Map`);
    }),
  );
}

/** The names of the local item-reading Tasks loadDefinition adds (see localMap). */
export function itemReaderStates(): string[] {
  const names: string[] = [];
  const visit = (states: Record<string, { Type: string; ItemReader?: Json; ItemProcessor?: { States: Record<string, never> } }>) => {
    for (const [name, state] of Object.entries(states)) {
      if (state.ItemProcessor) visit(state.ItemProcessor.States);
      if (state.Type === 'Map' && state.ItemReader) names.push(itemReaderStateName(name));
    }
  };
  visit((readRaw() as unknown as { States: Record<string, never> }).States);
  return names;
}

/** Reads an S3 object as JSON (undefined when there is none). */
export type ReadJson = (bucket: string, key: string) => Promise<unknown>;

/** An error Step Functions reports for an ItemReader that cannot read its items. */
export class ItemReaderFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'States.ItemReaderFailed';
  }
}

/**
 * The handler of an item-reading Task: reads the JSON array the ItemReader names and hands the
 * inline Map `{ state, items }`. Fails as AWS does (States.ItemReaderFailed) when the object is
 * missing or is not an array.
 */
export function readItemsTask(readJson: ReadJson): (input: unknown) => Promise<{ state: unknown; items: unknown[] }> {
  return async (input) => {
    const { state, bucket, key } = input as { state: unknown; bucket: string; key: string };
    const items = await readJson(bucket, key);
    if (items === undefined) throw new ItemReaderFailedError(`the Map's items s3://${bucket}/${key} do not exist`);
    if (!Array.isArray(items)) throw new ItemReaderFailedError(`the Map's items s3://${bucket}/${key} are not a JSON array`);
    return { state, items };
  };
}

/**
 * Loads statemachine/deploy.asl.json — the file serverless.yml deploys — and replaces the
 * CloudFormation `Fn::GetAtt` resources with function ARNs, which is what CloudFormation does.
 * Distributed Maps run inline (aws-local-stepfunctions has no child executions), at most
 * `mapConcurrency` iterations at once; one with an ItemReader reads its items in a Task first (localMap).
 */
export function loadDefinition(options: { region?: string; stage?: string; mapConcurrency?: number } = {}): Record<string, unknown> & {
  States: Record<string, { Type: string; Resource?: Json }>;
} {
  const region = options.region ?? 'us-east-1';
  const stage = options.stage ?? 'local';
  const mapConcurrency = options.mapConcurrency ?? LOCAL_MAP_CONCURRENCY;
  const raw = readRaw();
  const localStates = (states: { [key: string]: Json }): Json =>
    Object.fromEntries(Object.entries(states).map(([name, state]) => [name, localMap(name, state as { [key: string]: Json }, mapConcurrency)]));
  const resolve = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(resolve);
    if (node && typeof node === 'object') {
      const getAtt = node['Fn::GetAtt'];
      if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') {
        return `arn:aws:lambda:${region}:${LOCAL_ACCOUNT}:function:slipway-${stage}-${getAtt[0]}`;
      }
      return Object.fromEntries(
        Object.entries(node).map(([k, v]) => [k, resolve(k !== 'States' || !v || typeof v !== 'object' || Array.isArray(v) ? v : localStates(v))]),
      );
    }
    return node;
  };
  return resolve(raw) as ReturnType<typeof loadDefinition>;
}
