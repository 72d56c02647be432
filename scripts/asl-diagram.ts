/**
 * `npm run diagram`: prints statemachine/deploy.asl.json as a Mermaid `stateDiagram-v2`, written to
 * docs/state-machine.mmd and embedded in docs/architecture.md. Generated rather than drawn so the
 * picture cannot drift from the one definition AWS, the tests and dev mode run.
 *
 *   node --import tsx scripts/asl-diagram.ts > docs/state-machine.mmd
 *   node --import tsx scripts/asl-diagram.ts --embed docs/architecture.md
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface Condition {
  Variable?: string;
  And?: Condition[];
  Or?: Condition[];
  Not?: Condition;
  Next?: string;
  [comparator: string]: unknown;
}

interface AslState {
  Type: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: Condition[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  Resource?: unknown;
  Parameters?: Record<string, unknown>;
  SecondsPath?: string;
  Seconds?: number;
  ItemProcessor?: { StartAt: string; States: Record<string, AslState> };
  Iterator?: { StartAt: string; States: Record<string, AslState> };
}

export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
}

const BEGIN = '<!-- state-machine:begin (npm run diagram) -->';
const END = '<!-- state-machine:end -->';

function path(variable: string | undefined): string {
  return (variable ?? '?').replace(/^\$\./, '');
}

/** A Choice rule in words: `lock.outcome = acquired`, `flags.cdn`, `not flags.cdn`. */
function describe(rule: Condition): string {
  if (rule.And) {
    // `IsPresent: true` next to a test of the same variable says nothing a reader needs.
    const tested = new Set(rule.And.filter((c) => c.IsPresent === undefined).map((c) => c.Variable));
    return rule.And.filter((c) => !(c.IsPresent === true && tested.has(c.Variable)))
      .map(describe)
      .join(' and ');
  }
  if (rule.Or) return rule.Or.map(describe).join(' or ');
  if (rule.Not) return `not ${describe(rule.Not)}`;
  const name = path(rule.Variable);
  if (rule.BooleanEquals !== undefined) return rule.BooleanEquals ? name : `not ${name}`;
  if (rule.IsPresent !== undefined) return rule.IsPresent ? `${name} set` : `no ${name}`;
  for (const [key, value] of Object.entries(rule)) {
    if (key === 'Variable' || key === 'Next') continue;
    const op = key.replace(/Path$/, '').replace(/^(String|Numeric|Timestamp)/, '');
    const symbol = { Equals: '=', LessThan: '<', GreaterThan: '>', LessThanEquals: '≤', GreaterThanEquals: '≥', Matches: '~' }[op] ?? op;
    return `${name} ${symbol} ${String(value)}`;
  }
  return name;
}

/** The Lambda a Task runs: the serverless.yml function key its `Fn::GetAtt` names. */
function taskFunction(state: AslState): string | undefined {
  const resource = state.Resource as { 'Fn::GetAtt'?: [string, string] } | string | undefined;
  if (resource && typeof resource === 'object' && resource['Fn::GetAtt']) return resource['Fn::GetAtt'][0];
  return typeof resource === 'string' ? resource.split(':').pop() : undefined;
}

function emitStates(states: Record<string, AslState>, startAt: string, indent: string, lines: string[]): void {
  lines.push(`${indent}[*] --> ${startAt}`);
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === 'Choice') lines.push(`${indent}state ${name} <<choice>>`);
    const fn = state.Type === 'Task' ? taskFunction(state) : undefined;
    const phase = state.Parameters && typeof state.Parameters.phase === 'string' ? ` (${state.Parameters.phase})` : '';
    if (fn) lines.push(`${indent}${name} : λ ${fn}${phase}`);
    if (state.Type === 'Wait') lines.push(`${indent}${name} : Wait ${state.SecondsPath ? path(state.SecondsPath) : `${state.Seconds ?? 0}s`}`);
    const inner = state.ItemProcessor ?? state.Iterator;
    if (state.Type === 'Map' && inner) {
      lines.push(`${indent}state ${name} {`);
      emitStates(inner.States, inner.StartAt, `${indent}  `, lines);
      lines.push(`${indent}}`);
    }
  }
  for (const [name, state] of Object.entries(states)) {
    if (state.Next) lines.push(`${indent}${name} --> ${state.Next}`);
    for (const rule of state.Choices ?? []) if (rule.Next) lines.push(`${indent}${name} --> ${rule.Next} : ${describe(rule)}`);
    if (state.Default) lines.push(`${indent}${name} --> ${state.Default} : otherwise`);
    for (const c of state.Catch ?? [])
      lines.push(`${indent}${name} --> ${c.Next} : ${c.ErrorEquals.includes('States.ALL') ? 'error' : c.ErrorEquals.join(', ')}`);
    if (state.End || state.Type === 'Succeed' || state.Type === 'Fail') lines.push(`${indent}${name} --> [*]`);
  }
}

/** The definition as Mermaid text, one line per state annotation and per transition. */
export function aslToMermaid(definition: AslDefinition): string {
  const lines = ['stateDiagram-v2'];
  emitStates(definition.States, definition.StartAt, '  ', lines);
  return `${lines.join('\n')}\n`;
}

/** Replaces the fenced diagram between the markers in a Markdown file with `mermaid`. */
export function embedDiagram(markdown: string, mermaid: string): string {
  const start = markdown.indexOf(BEGIN);
  const end = markdown.indexOf(END);
  if (start < 0 || end < start) throw new Error(`the markers ${BEGIN} … ${END} are missing: put them where the diagram belongs`);
  return `${markdown.slice(0, start + BEGIN.length)}\n\`\`\`mermaid\n${mermaid}\`\`\`\n${markdown.slice(end)}`;
}

export function readDefinition(): AslDefinition {
  return JSON.parse(readFileSync(fileURLToPath(new URL('../statemachine/deploy.asl.json', import.meta.url)), 'utf8')) as AslDefinition;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const mermaid = aslToMermaid(readDefinition());
  const embedAt = process.argv.indexOf('--embed');
  if (embedAt >= 0) {
    const file = process.argv[embedAt + 1];
    if (!file) throw new Error('--embed needs a Markdown file, e.g. --embed docs/architecture.md');
    writeFileSync(file, embedDiagram(readFileSync(file, 'utf8'), mermaid));
    process.stderr.write(`embedded the state machine diagram in ${file}\n`);
  } else {
    process.stdout.write(mermaid);
  }
}
