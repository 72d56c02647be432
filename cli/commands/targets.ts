import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { TARGET_NAME } from '../../shared/domain/target.js';
import type { TargetSummaryView } from '../../shared/http/contract.js';
import { ApiProblemError, RouteMissingError } from '../api-client.js';
import { targetListRows } from '../overview.js';
import { connect, type CliContext } from '../context.js';
import { CliError, UsageError } from '../errors.js';
import { formatJson, formatTargetApplied, formatTargets, styleFor } from '../output.js';
import { withTargetSuggestions } from '../suggest.js';

/**
 * How many alias expansions a target file may use. The yaml package's own default: far more than
 * a config needs, and nine nested anchors of nine aliases each ("billion laughs") stay refused.
 */
const MAX_YAML_ALIASES = 100;

/**
 * What was wrong with a YAML file, in words. Besides syntax errors (YAMLError), the yaml package
 * throws a plain ReferenceError for an alias bomb and for an alias used before its anchor, and a
 * nesting deep enough to exhaust the stack is a RangeError: each is the file's fault, not a crash.
 */
function yamlProblem(path: string, error: unknown, yamlError: abstract new (...args: never[]) => Error): string {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof yamlError) return `${path} is not valid YAML: ${message}`;
  if (error instanceof ReferenceError && /excessive alias count/i.test(message)) {
    return (
      `${path} expands YAML aliases (*name) more than ${MAX_YAML_ALIASES} times, the shape of an alias bomb ("billion laughs"); ` +
      'write the repeated values out, or use fewer aliases'
    );
  }
  if (error instanceof ReferenceError) return `${path} is not valid YAML: ${message}`;
  if (error instanceof RangeError) return `${path} is nested too deeply to read as YAML; flatten it`;
  throw error;
}

/** Reads a target config file: JSON, or YAML for `.yaml`/`.yml` (and as a fallback for other names). */
export async function readTargetFile(path: string, cwd = process.cwd()): Promise<Record<string, unknown> & { name: string }> {
  let text: string;
  try {
    text = await readFile(resolve(cwd, path), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read it (${(error as Error).message})`, { cause: error });
  }
  const ext = extname(path).toLowerCase();
  let parsed: unknown;
  if (ext === '.json') {
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
  } else {
    // YAML is a superset of JSON, so one parser serves every other extension.
    const { parse, YAMLError } = await import('yaml');
    try {
      parsed = parse(text, { maxAliasCount: MAX_YAML_ALIASES });
    } catch (error) {
      throw new UsageError(yamlProblem(path, error, YAMLError), { cause: error });
    }
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(`${path} must hold one target object ({ "name": …, "kind": "function", … })`);
  }
  const record = parsed as Record<string, unknown>;
  if (typeof record.name !== 'string' || record.name === '') throw new UsageError(`${path}: the target has no "name"`);
  return record as Record<string, unknown> & { name: string };
}

/**
 * `slipway targets apply <file> [--dry-run]`: PUT /targets/{name}; the API validates (unknown
 * fields are errors) and stores it. Prints what changes in the configuration (secrets as their
 * references) and whether a deployment of the live release with it started, and why not.
 * `--dry-run` asks the API what would happen and changes nothing.
 */
export async function applyTarget(ctx: CliContext, file: string, options: { json: boolean; dryRun?: boolean }): Promise<number> {
  const target = await readTargetFile(file, ctx.cwd);
  const { client } = await connect(ctx);
  const applied = await client.putTarget(target.name, target, { dryRun: options.dryRun === true });
  ctx.stdout.write(options.json ? formatJson(applied) : formatTargetApplied(applied, styleFor(ctx.stdout, ctx.env)));
  for (const warning of applied.warnings ?? []) ctx.stderr.write(`slipway: warning: ${warning}\n`);
  return 0;
}

/**
 * `slipway targets list`: the stored targets, and from `GET /summary` what is live on each and how
 * its last deployment ended (an API older than the summary: the targets alone, and a note).
 */
export async function listTargets(ctx: CliContext, options: { json: boolean }): Promise<number> {
  const { client } = await connect(ctx);
  const targets = await client.listTargets();
  if (options.json) {
    ctx.stdout.write(formatJson(targets));
    return 0;
  }
  const style = styleFor(ctx.stdout, ctx.env);
  let summaries: Map<string, TargetSummaryView> | undefined;
  try {
    summaries = new Map((await client.getSummary()).targets.map((s) => [s.name, s]));
  } catch (error) {
    if (!(error instanceof RouteMissingError)) throw error;
    ctx.stderr.write('(this slipway API has no GET /summary yet: what is live on each target is not shown)\n');
  }
  const now = (ctx.now ?? (() => new Date()))();
  const extra = summaries ? { header: ['LIVE', 'LAST DEPLOYMENT'], rows: targetListRows(targets, summaries, style, now) } : undefined;
  ctx.stdout.write(formatTargets(targets, style, extra));
  return 0;
}

/** The stored target is its own best rendering: the same JSON with `--json` or without. */
export async function getTarget(ctx: CliContext, name: string): Promise<number> {
  const { client } = await connect(ctx);
  ctx.stdout.write(formatJson(await withTargetSuggestions(client, name, () => client.getTarget(name))));
  return 0;
}

/**
 * `slipway targets delete <name>`: removes the registration (refused by the API while a deployment
 * of it runs). Asks first at a terminal; elsewhere `--yes` must say so, since there is no undo.
 */
export async function deleteTarget(ctx: CliContext, name: string, options: { yes: boolean; json: boolean }): Promise<number> {
  if (!TARGET_NAME.test(name)) throw new UsageError(`invalid target name "${name}": it must match [a-z0-9][a-z0-9-]{0,47}`);
  const { client } = await connect(ctx);
  // Checked before asking, so nobody confirms the deletion of a typo.
  await withTargetSuggestions(client, name, () => client.getTarget(name));
  if (!options.yes) {
    const stdin = ctx.stdin;
    if (!stdin?.isTTY || options.json) {
      throw new UsageError(`deleting target "${name}" cannot be undone; pass --yes to confirm`);
    }
    const prompt = createInterface({ input: stdin, output: ctx.stderr as NodeJS.WritableStream });
    const answer = await prompt.question(`Delete target "${name}"? Its deployments stop being possible until it is applied again. Type the name to confirm: `);
    prompt.close();
    if (answer.trim() !== name) {
      ctx.stderr.write('not deleted\n');
      return 1;
    }
  }
  try {
    await client.deleteTarget(name);
  } catch (error) {
    if (error instanceof ApiProblemError && error.problem.status === 409) {
      throw new CliError(`${error.message}\nwait for it to end (npx slipway history --target ${name}) or cancel it (npx slipway cancel <id>)`, 1, {
        cause: error,
      });
    }
    throw error;
  }
  if (options.json) ctx.stdout.write(formatJson({ deleted: name }));
  else ctx.stdout.write(`${styleFor(ctx.stdout, ctx.env).green('✔')} target ${name} deleted\n`);
  return 0;
}
