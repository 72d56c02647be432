import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ACTIVE_STATUSES, TERMINAL_STATUSES, TRIGGERS, type DeploymentStatus, type Trigger } from '../shared/domain/deployment.js';
import type { CliContext } from './context.js';
import { CliError, UsageError } from './errors.js';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new InvalidArgumentError('must be a whole number from 1 to 100000');
  return n;
}

/** A whole number from `min` to `max`, for options such as --count and --days. */
function intFrom(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
    return n;
  };
}

/** slipway's version: package.json's, which the CLI ships in. */
function cliVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

const STATUSES = [...ACTIVE_STATUSES, ...TERMINAL_STATUSES] as string[];
const json = () => new Option('--json', 'print only JSON on stdout (messages go to stderr)');

/**
 * The command tree. Actions import their module on first use so that `slipway --help` and the
 * quick read commands do not load the AWS SDK or dev mode. Exit codes: 0 the command got what it
 * asked for (for deploy, rollback, promote: the deployment succeeded), 1 it did not (failed,
 * rolled back, cancelled, an API that says no), 2 the invocation or its input is wrong.
 */
export function buildProgram(ctx: CliContext, setExitCode: (code: number) => void): Command {
  const program = new Command('slipway')
    .description('Safe serverless deployments for AWS Lambda and static sites: upload a release, watch it go live, roll back.')
    .version(cliVersion(), '-V, --version', "print slipway's version")
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => ctx.stdout.write(text),
      writeErr: (text) => ctx.stderr.write(text),
    });

  program
    .command('dev')
    .description('run the whole service on this machine (AWS emulator, workflow, API); `npm start` runs this')
    .action(async () => {
      const { runDev } = await import('./dev.js');
      await runDev({ projectRoot: ctx.projectRoot });
    });

  const targets = program.command('targets').description('register, inspect and delete deployment targets');
  targets
    .command('apply')
    .description('register or replace a target from a JSON or YAML file; a configuration change alone redeploys the live release')
    .argument('<file>', 'target config (.json, .yaml, .yml)')
    .option('--dry-run', 'show the configuration changes and whether a deployment would start; change nothing')
    .addOption(json())
    .action(async (file: string, opts: { json?: boolean; dryRun?: boolean }) => {
      const { applyTarget } = await import('./commands/targets.js');
      setExitCode(await applyTarget(ctx, file, { json: opts.json === true, dryRun: opts.dryRun === true }));
    });
  targets
    .command('list')
    .description('list registered targets')
    .addOption(json())
    .action(async (opts: { json?: boolean }) => {
      const { listTargets } = await import('./commands/targets.js');
      setExitCode(await listTargets(ctx, { json: opts.json === true }));
    });
  targets
    .command('get')
    .description('show one target as stored (JSON)')
    .argument('<name>')
    .addOption(json())
    .action(async (name: string) => {
      const { getTarget } = await import('./commands/targets.js');
      setExitCode(await getTarget(ctx, name));
    });
  targets
    .command('delete')
    .description('delete a target (refused while one of its deployments runs); asks first unless --yes')
    .argument('<name>')
    .option('-y, --yes', 'do not ask; required when not at a terminal')
    .addOption(json())
    .action(async (name: string, opts: { yes?: boolean; json?: boolean }) => {
      const { deleteTarget } = await import('./commands/targets.js');
      setExitCode(await deleteTarget(ctx, name, { yes: opts.yes === true, json: opts.json === true }));
    });

  program
    .command('deploy')
    .description('upload a release and follow its deployment to the end (exit 0 only when it succeeded)')
    .argument('<path>', 'a release zip, or a directory to zip (reproducibly: the same files give the same sha256)')
    .requiredOption('-t, --target <target>', 'target to deploy to')
    .option('-r, --release <release>', 'release name (default: <UTC time>-<first 6 hex of the sha256>)')
    .option(
      '--at <time>',
      "start no earlier than this (and within the target's window): 2026-11-30T02:00+01:00, a wall time in your time zone 2026-11-30T02:00, or +2h / +30m",
    )
    .option('--force', 'break-glass: deploy to a target that takes releases only by promotion (needs --reason; recorded with who forced it)')
    .option('--reason <text>', 'why the promotion gate is bypassed (required with --force)')
    .option('--no-wait', 'return once uploaded, without following the deployment')
    .option('--json', 'print only the final deployment as JSON (progress goes to stderr)')
    .action(async (path: string, opts: { target: string; release?: string; at?: string; force?: boolean; reason?: string; wait: boolean; json?: boolean }) => {
      const { deploy } = await import('./commands/deploy.js');
      setExitCode(
        await deploy(ctx, path, {
          target: opts.target,
          ...(opts.release !== undefined ? { release: opts.release } : {}),
          ...(opts.at !== undefined ? { at: opts.at } : {}),
          ...(opts.force ? { force: true } : {}),
          ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
          wait: opts.wait,
          json: opts.json === true,
        }),
      );
    });

  program
    .command('status')
    .description(
      'what is live on every target (release, version, since when, by whom), what runs, waits or recently failed; with a target, that one in full; with a deployment id, that deployment and its timeline',
    )
    .argument('[target-or-id]', 'a target name, or a deployment id (d-…)')
    .addOption(json())
    .action(async (name: string | undefined, opts: { json?: boolean }) => {
      const overview = await import('./commands/overview.js');
      const options = { json: opts.json === true };
      if (name === undefined || !overview.DEPLOYMENT_ID.test(name)) {
        const code = await overview.targetStatus(ctx, name, options);
        if (code !== undefined) return setExitCode(code);
      }
      const { status } = await import('./commands/deployments.js');
      const code = await status(
        ctx,
        name as string,
        options,
        overview.DEPLOYMENT_ID.test(name as string) ? undefined : () => overview.notATargetNorDeployment(ctx, name as string),
      );
      setExitCode(code);
    });

  program
    .command('stats')
    .description('delivery metrics: deployments per day, lead time, change failure rate and time to restore, overall and per target')
    .argument('[target]', 'only this target')
    .option('--since <when>', 'start of the period: 30d (days back), or a time such as 2026-11-01T00:00:00Z (default 30d)')
    .option('--until <when>', 'end of the period, a time such as 2026-12-01T00:00:00Z (default now)')
    .addOption(json())
    .action(async (target: string | undefined, opts: { since?: string; until?: string; json?: boolean }) => {
      const { stats } = await import('./commands/overview.js');
      setExitCode(
        await stats(ctx, target, {
          ...(opts.since !== undefined ? { since: opts.since } : {}),
          ...(opts.until !== undefined ? { until: opts.until } : {}),
          json: opts.json === true,
        }),
      );
    });

  program
    .command('logs')
    .description("a deployment's timeline: each step, traffic percent, health result and error (--follow: until it ends)")
    .argument('<id>', 'deployment id (d-…)')
    .option('-f, --follow', 'print new entries as they come until the deployment ends; exit 0 only if it succeeded')
    .addOption(new Option('--json', 'print only JSON: the events document, or with --follow one entry per line'))
    .action(async (id: string, opts: { follow?: boolean; json?: boolean }) => {
      const { logs } = await import('./commands/logs.js');
      setExitCode(await logs(ctx, id, { follow: opts.follow === true, json: opts.json === true }));
    });

  program
    .command('history')
    .description('deployments, newest first: of every target or one, optionally of one status, trigger or period')
    .argument('[target]', 'same as --target')
    .option('-t, --target <target>', 'only this target')
    .addOption(new Option('-s, --status <status>', 'only deployments in this status').choices(STATUSES))
    .addOption(new Option('--trigger <trigger>', 'only deployments started this way').choices(TRIGGERS))
    .option('--since <when>', 'only deployments requested since then: 7d (the last 7 days) or an ISO 8601 time')
    .option('--until <time>', 'only deployments requested before this ISO 8601 time')
    .addOption(new Option('-n, --limit <n>', 'how many (default 20; more than 100 are fetched page by page)').argParser(positiveInt).conflicts('all'))
    .option('-a, --all', 'every deployment, following the API cursors to the end')
    .addOption(json())
    .action(
      async (
        positional: string | undefined,
        opts: { target?: string; status?: DeploymentStatus; trigger?: Trigger; since?: string; until?: string; limit?: number; all?: boolean; json?: boolean },
      ) => {
        if (positional !== undefined && opts.target !== undefined && positional !== opts.target) {
          throw new UsageError(`two targets given: "${positional}" and --target "${opts.target}"`);
        }
        const target = opts.target ?? positional;
        const { history } = await import('./commands/deployments.js');
        setExitCode(
          await history(ctx, {
            ...(target !== undefined ? { target } : {}),
            ...(opts.status !== undefined ? { status: opts.status } : {}),
            ...(opts.trigger !== undefined ? { trigger: opts.trigger } : {}),
            ...(opts.since !== undefined ? { since: opts.since } : {}),
            ...(opts.until !== undefined ? { until: opts.until } : {}),
            ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
            all: opts.all === true,
            json: opts.json === true,
          }),
        );
      },
    );

  program
    .command('rollback')
    .description('put a target back on its previous release (or --to a named one) without rebuilding, and follow it')
    .argument('<target>')
    .option('--to <release>', 'the release to return to (default: the previous one)')
    .option('--no-wait', 'return once requested, without following')
    .option('--json', 'print only the final deployment as JSON (progress goes to stderr)')
    .action(async (target: string, opts: { to?: string; wait: boolean; json?: boolean }) => {
      const { rollback } = await import('./commands/rollback.js');
      setExitCode(await rollback(ctx, target, { ...(opts.to !== undefined ? { to: opts.to } : {}), wait: opts.wait, json: opts.json === true }));
    });

  program
    .command('cancel')
    .description('stop a deployment: before traffic moved it ends cancelled, after it rolls back (exit 0 once it stopped)')
    .argument('<id>', 'deployment id (d-…)')
    .option('--reason <text>', 'why, recorded with the deployment')
    .option('--no-wait', 'return once requested, without following')
    .option('--json', 'print only the final deployment as JSON (progress goes to stderr)')
    .action(async (id: string, opts: { reason?: string; wait: boolean; json?: boolean }) => {
      const { cancel } = await import('./commands/control.js');
      setExitCode(await cancel(ctx, id, { ...(opts.reason !== undefined ? { reason: opts.reason } : {}), wait: opts.wait, json: opts.json === true }));
    });

  program
    .command('promote')
    .description(
      'skip the rest of the current bake and every remaining step (straight to 100%, after one more health check), or start a deployment waiting for its window now (break-glass; recorded with who and why)',
    )
    .argument('<id>', 'deployment id (d-…)')
    .requiredOption('--reason <text>', 'why (required; recorded in the timeline)')
    .option('--no-wait', 'return once requested, without following')
    .option('--json', 'print only the final deployment as JSON (progress goes to stderr)')
    .action(async (id: string, opts: { reason: string; wait: boolean; json?: boolean }) => {
      const { promote } = await import('./commands/control.js');
      setExitCode(await promote(ctx, id, { reason: opts.reason, wait: opts.wait, json: opts.json === true }));
    });

  const pipeline = program
    .command('pipeline')
    .description('environments: the chain a target belongs to (promotion.from), and promoting a release that passed upstream along it');
  pipeline
    .command('promote')
    .description('deploy to a gated target the very artifact that passed its upstream (promotion.from): the newest eligible release, or --release')
    .argument('<target>', 'the downstream target (the one with promotion.from)')
    .option('-r, --release <release>', 'the upstream release to promote (default: the newest eligible one)')
    .option('--no-wait', 'return once requested, without following')
    .option('--json', 'print only the deployment as JSON (progress goes to stderr)')
    .action(async (target: string, opts: { release?: string; wait: boolean; json?: boolean }) => {
      const { pipelinePromote } = await import('./commands/pipeline.js');
      setExitCode(
        await pipelinePromote(ctx, target, { ...(opts.release !== undefined ? { release: opts.release } : {}), wait: opts.wait, json: opts.json === true }),
      );
    });

  program
    .command('approve')
    .description('approve a promotion that awaits approval: it starts (its deploy window and the target lock still apply)')
    .argument('<id>', 'deployment id (d-…)')
    .requiredOption('--reason <text>', 'why (required; recorded with the deployment)')
    .option('--no-wait', 'return once approved, without following')
    .option('--json', 'print only the final deployment as JSON (progress goes to stderr)')
    .action(async (id: string, opts: { reason: string; wait: boolean; json?: boolean }) => {
      const { approve } = await import('./commands/pipeline.js');
      setExitCode(await approve(ctx, id, { reason: opts.reason, wait: opts.wait, json: opts.json === true }));
    });

  program
    .command('reject')
    .description('reject a promotion that awaits approval: it ends cancelled, nothing changed')
    .argument('<id>', 'deployment id (d-…)')
    .requiredOption('--reason <text>', 'why (required; recorded with the deployment)')
    .addOption(json())
    .action(async (id: string, opts: { reason: string; json?: boolean }) => {
      const { reject } = await import('./commands/pipeline.js');
      setExitCode(await reject(ctx, id, { reason: opts.reason, json: opts.json === true }));
    });

  const windows = program.command('windows').description("deploy windows: when a target's releases may start, and when its traffic is quietest");
  windows
    .command('show')
    .description("the next openings (in the window's time zone and yours), the freezes, and the deployments waiting")
    .argument('<target>')
    .addOption(new Option('-n, --count <n>', 'how many openings (default 5)').argParser(intFrom(1, 50)))
    .addOption(json())
    .action(async (target: string, opts: { count?: number; json?: boolean }) => {
      const { showWindow } = await import('./commands/windows.js');
      setExitCode(await showWindow(ctx, target, { ...(opts.count !== undefined ? { count: opts.count } : {}), json: opts.json === true }));
    });
  windows
    .command('suggest')
    .description("the target's traffic by hour of the week as a chart, and its quietest windows as allow entries to paste")
    .argument('<target>')
    .option('-d, --duration <length>', 'window length: 3h, 180m, 1h30m (default 3h)')
    .addOption(new Option('--days <n>', 'days of traffic to read (default 28)').argParser(intFrom(1, 28)))
    .addOption(new Option('-n, --count <n>', 'how many windows to suggest (default 3)').argParser(intFrom(1, 10)))
    .option('--timezone <zone>', "time zone of the profile and the crons (default: the window's, else UTC)")
    .option('--ascii', 'draw the chart with digits instead of block characters (also with TERM=dumb)')
    .addOption(json())
    .action(async (target: string, opts: { duration?: string; days?: number; count?: number; timezone?: string; ascii?: boolean; json?: boolean }) => {
      const { suggestWindows } = await import('./commands/windows.js');
      setExitCode(
        await suggestWindows(ctx, target, {
          ...(opts.duration !== undefined ? { duration: opts.duration } : {}),
          ...(opts.days !== undefined ? { days: opts.days } : {}),
          ...(opts.count !== undefined ? { count: opts.count } : {}),
          ...(opts.timezone !== undefined ? { timezone: opts.timezone } : {}),
          ascii: opts.ascii === true,
          json: opts.json === true,
        }),
      );
    });

  pipeline
    .command('show')
    .description(
      'one block per environment: the live release (sha256, configuration digest), what runs, what is eligible next or why not, what awaits approval',
    )
    .argument('<target>')
    .addOption(json())
    .action(async (target: string, opts: { json?: boolean }) => {
      const { showPipeline } = await import('./commands/pipeline.js');
      setExitCode(await showPipeline(ctx, target, { json: opts.json === true }));
    });

  const hooks = program.command('hooks').description('deploy hooks: secret URLs that deploy a target, for CI systems without AWS credentials');
  hooks
    .command('create')
    .description('create a hook; its secret is shown this once')
    .argument('<target>')
    .requiredOption('--name <name>', 'what the hook is for, e.g. github-main')
    .option('-r, --release <release>', 'always deploy this release (default: the one named in the call, else the newest uploaded)')
    .addOption(json())
    .action(async (target: string, opts: { name: string; release?: string; json?: boolean }) => {
      const { createHook } = await import('./commands/hooks.js');
      setExitCode(
        await createHook(ctx, target, { name: opts.name, ...(opts.release !== undefined ? { release: opts.release } : {}), json: opts.json === true }),
      );
    });
  hooks
    .command('list')
    .description("a target's hooks (never their secrets)")
    .argument('<target>')
    .addOption(json())
    .action(async (target: string, opts: { json?: boolean }) => {
      const { listHooks } = await import('./commands/hooks.js');
      setExitCode(await listHooks(ctx, target, { json: opts.json === true }));
    });
  hooks
    .command('revoke')
    .description('revoke a hook: its URL is refused from then on')
    .argument('<target>')
    .argument('<hookId>')
    .addOption(json())
    .action(async (target: string, hookId: string, opts: { json?: boolean }) => {
      const { revokeHook } = await import('./commands/hooks.js');
      setExitCode(await revokeHook(ctx, target, hookId, { json: opts.json === true }));
    });

  return program;
}

/** Runs one invocation and returns its exit code: 0 ok, 1 the outcome was bad, 2 the invocation was. */
export async function run(argv: string[], ctx: CliContext): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(ctx, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed the message or the help.
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof CliError) {
      ctx.stderr.write(`slipway: ${error.message}\n`);
      return error.exitCode;
    }
    ctx.stderr.write(`slipway: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
    return 1;
  }
}
