import { releaseNameProblem, TARGET_NAME } from '../../shared/domain/names.js';
import type { DeployHookView } from '../../shared/http/contract.js';
import { connect, type CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { formatJson, formatTable, shortTime, styleFor, type Style } from '../output.js';
import { withTargetSuggestions } from '../suggest.js';

function checkTarget(target: string): void {
  if (!TARGET_NAME.test(target)) throw new UsageError(`invalid target name "${target}": it must match [a-z0-9][a-z0-9-]{0,47}`);
}

/** The hook's URL as a CI system calls it: the API's base URL (with its stage path) plus `/hooks/<id>`. */
export function absoluteHookUrl(apiUrl: string, relative: string): string {
  return `${apiUrl.replace(/\/+$/, '')}${relative.startsWith('/') ? '' : '/'}${relative}`;
}

/**
 * `slipway hooks create <target> --name <n> [--release r]`: a URL that deploys to the target when
 * POSTed with its secret, for CI systems without AWS credentials. The secret is printed here
 * once; slipway keeps only its hash.
 */
export async function createHook(ctx: CliContext, target: string, options: { name: string; release?: string; json: boolean }): Promise<number> {
  checkTarget(target);
  const name = options.name.trim();
  if (!name) throw new UsageError('--name must not be empty: it tells the hooks of a target apart (e.g. "github-main")');
  const releaseProblem = options.release === undefined ? undefined : releaseNameProblem(options.release);
  if (releaseProblem) throw new UsageError(`invalid release name "${options.release}": it ${releaseProblem}`);
  const { client, config } = await connect(ctx);
  const hook = await withTargetSuggestions(client, target, () =>
    client.createHook(target, { name, ...(options.release !== undefined ? { release: options.release } : {}) }),
  );
  const url = absoluteHookUrl(config.api.url, hook.url);
  const warning = 'Copy the secret now: slipway stores only its hash and will never show it again.';
  if (options.json) {
    ctx.stdout.write(formatJson({ ...hook, hookUrl: url }));
    ctx.stderr.write(`${warning}\n`);
    return 0;
  }
  const style = styleFor(ctx.stdout, ctx.env);
  const deploys = hook.release ? `release ${hook.release}` : 'the release named in the call, else the newest uploaded one';
  ctx.stdout.write(
    [
      `${style.green('✔')} deploy hook ${style.bold(hook.name)} created for ${hook.target} (${hook.id}); it deploys ${deploys}`,
      `  url     ${url}`,
      `  secret  ${style.bold(hook.secret)}`,
      `${style.yellow('!')} ${style.yellow(warning)}`,
      '',
      'Trigger it from CI (the only slipway route without AWS credentials):',
      `  curl -fsS -X POST -H "X-Slipway-Hook-Secret: $SLIPWAY_HOOK_SECRET" ${url}` +
        (hook.release ? '' : ` \\\n       -H 'content-type: application/json' -d '{"release":"<name>"}'`),
      '',
    ].join('\n'),
  );
  return 0;
}

export async function listHooks(ctx: CliContext, target: string, options: { json: boolean }): Promise<number> {
  checkTarget(target);
  const { client } = await connect(ctx);
  const hooks = await withTargetSuggestions(client, target, () => client.listHooks(target));
  ctx.stdout.write(options.json ? formatJson(hooks) : formatHooks(target, hooks, styleFor(ctx.stdout, ctx.env)));
  return 0;
}

export async function revokeHook(ctx: CliContext, target: string, hookId: string, options: { json: boolean }): Promise<number> {
  checkTarget(target);
  const { client } = await connect(ctx);
  await withTargetSuggestions(client, target, () => client.revokeHook(target, hookId));
  if (options.json) ctx.stdout.write(formatJson({ revoked: hookId, target }));
  else ctx.stdout.write(`${styleFor(ctx.stdout, ctx.env).green('✔')} revoked hook ${hookId} of ${target}: its URL is refused from now on\n`);
  return 0;
}

export function formatHooks(target: string, hooks: DeployHookView[], style: Style): string {
  if (hooks.length === 0) return `no deploy hooks for ${target}; create one with \`npx slipway hooks create ${target} --name <name>\`\n`;
  return formatTable(
    ['ID', 'NAME', 'RELEASE', 'CREATED', 'LAST USED'],
    hooks.map((h) => [h.id, h.name, h.release ?? '(newest)', shortTime(h.createdAt), h.lastUsedAt ? shortTime(h.lastUsedAt) : 'never']),
    style,
  );
}
