import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { connect, type CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { describeStrategy, formatJson, formatTargets, styleFor } from '../output.js';

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
    const { parse, YAMLParseError } = await import('yaml');
    try {
      parsed = parse(text);
    } catch (error) {
      if (error instanceof YAMLParseError) throw new UsageError(`${path} is not valid YAML: ${error.message}`, { cause: error });
      throw error;
    }
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(`${path} must hold one target object ({ "name": …, "kind": "function", … })`);
  }
  const record = parsed as Record<string, unknown>;
  if (typeof record.name !== 'string' || record.name === '') throw new UsageError(`${path}: the target has no "name"`);
  return record as Record<string, unknown> & { name: string };
}

/** PUT /targets/{name}: the API validates (unknown fields are errors) and stores it. */
export async function applyTarget(ctx: CliContext, file: string, options: { json: boolean }): Promise<number> {
  const target = await readTargetFile(file, ctx.cwd);
  const { client } = await connect(ctx);
  const stored = await client.putTarget(target.name, target);
  if (options.json) {
    ctx.stdout.write(formatJson(stored));
  } else {
    const style = styleFor(ctx.stdout, ctx.env);
    ctx.stdout.write(`${style.green('✔')} target ${style.bold(stored.name)} applied (${describeStrategy(stored.strategy)})\n${formatJson(stored)}`);
  }
  return 0;
}

export async function listTargets(ctx: CliContext, options: { json: boolean }): Promise<number> {
  const { client } = await connect(ctx);
  const targets = await client.listTargets();
  ctx.stdout.write(options.json ? formatJson(targets) : formatTargets(targets, styleFor(ctx.stdout, ctx.env)));
  return 0;
}

/** The stored target is its own best rendering: the same JSON with `--json` or without. */
export async function getTarget(ctx: CliContext, name: string): Promise<number> {
  const { client } = await connect(ctx);
  ctx.stdout.write(formatJson(await client.getTarget(name)));
  return 0;
}
