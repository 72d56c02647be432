import { Command, CommanderError, InvalidArgumentError } from 'commander';
import type { CliContext } from './context.js';
import { CliError } from './errors.js';

function positiveInt(value: string): number {
  const n = Number(value);
  // The API caps history at 100 (shared/http/schemas.ts); saying so here beats a round trip.
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new InvalidArgumentError('must be a whole number from 1 to 100');
  return n;
}

/**
 * The command tree. Actions import their module on first use so that `slipway --help` and the
 * quick read commands do not load the AWS SDK or dev mode.
 */
export function buildProgram(ctx: CliContext, setExitCode: (code: number) => void): Command {
  const program = new Command('slipway')
    .description('Safe serverless deployments for AWS Lambda: upload a release, watch it go live, roll back.')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
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

  const targets = program.command('targets').description('register and inspect deployment targets');
  targets
    .command('apply')
    .description('register or replace a target from a JSON or YAML file')
    .argument('<file>', 'target config (.json, .yaml, .yml)')
    .option('--json', 'print only the stored target as JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
      const { applyTarget } = await import('./commands/targets.js');
      setExitCode(await applyTarget(ctx, file, { json: opts.json === true }));
    });
  targets
    .command('list')
    .description('list registered targets')
    .option('--json', 'print only JSON (an array)')
    .action(async (opts: { json?: boolean }) => {
      const { listTargets } = await import('./commands/targets.js');
      setExitCode(await listTargets(ctx, { json: opts.json === true }));
    });
  targets
    .command('get')
    .description('show one target as stored')
    .argument('<name>')
    .option('--json', 'print only JSON')
    .action(async (name: string) => {
      const { getTarget } = await import('./commands/targets.js');
      setExitCode(await getTarget(ctx, name));
    });

  program
    .command('deploy')
    .description('upload a release zip and follow its deployment until it ends (exit 0 only when it succeeded)')
    .argument('<zip>', 'the release artifact (a Lambda deployment package)')
    .requiredOption('-t, --target <target>', 'target to deploy to')
    .option('-r, --release <release>', 'release name (default: <UTC timestamp>-<short sha256>)')
    .option('--no-wait', 'return once uploaded, without following the deployment')
    .option('--json', 'print only the final deployment as JSON (progress goes to stderr)')
    .action(async (zip: string, opts: { target: string; release?: string; wait: boolean; json?: boolean }) => {
      const { deploy } = await import('./commands/deploy.js');
      setExitCode(
        await deploy(ctx, zip, {
          target: opts.target,
          ...(opts.release !== undefined ? { release: opts.release } : {}),
          wait: opts.wait,
          json: opts.json === true,
        }),
      );
    });

  program
    .command('status')
    .description('show one deployment with its timeline')
    .argument('<id>', 'deployment id (d-…)')
    .option('--json', 'print only JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const { status } = await import('./commands/deployments.js');
      setExitCode(await status(ctx, id, { json: opts.json === true }));
    });

  program
    .command('history')
    .description("a target's deployments, newest first")
    .argument('<target>')
    .option('-n, --limit <n>', 'how many (default: the API default)', positiveInt)
    .option('--json', 'print only JSON (an array)')
    .action(async (target: string, opts: { json?: boolean; limit?: number }) => {
      const { history } = await import('./commands/deployments.js');
      setExitCode(await history(ctx, target, { json: opts.json === true, ...(opts.limit !== undefined ? { limit: opts.limit } : {}) }));
    });

  program
    .command('rollback')
    .description('put a target back on its previous release (or --to a named one) without rebuilding, and follow it')
    .argument('<target>')
    .option('--to <release>', 'the release to return to (default: the previous one)')
    .option('--no-wait', 'return once requested, without following')
    .option('--json', 'print only the final deployment as JSON (progress goes to stderr)')
    .action(async (target: string, opts: { to?: string; wait: boolean; json?: boolean }) => {
      const { rollback } = await import('./commands/rollback.js');
      setExitCode(
        await rollback(ctx, target, { ...(opts.to !== undefined ? { to: opts.to } : {}), wait: opts.wait, json: opts.json === true }),
      );
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
