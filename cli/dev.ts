import { startDevService } from '../dev/dev-service.js';
import { PortInUseError } from '../dev/ports.js';
import { CliError } from './errors.js';

/** How often dev mode checks that whoever started it (`npm start`, a shell) is still there. */
const PARENT_CHECK_MS = 500;

/** `slipway dev` (`npm start`): runs until Ctrl-C, then stops everything it started. */
export async function runDev(options: { projectRoot: string }): Promise<void> {
  // SLIPWAY_DEV_STATE_DIR moves .slipway/ (dev.json) elsewhere, e.g. for a second instance.
  const stateDir = process.env.SLIPWAY_DEV_STATE_DIR;
  let service;
  try {
    service = await startDevService({ projectRoot: options.projectRoot, ...(stateDir ? { stateDir } : {}) });
  } catch (error) {
    if (error instanceof PortInUseError) throw new CliError(error.message, 1, { cause: error });
    throw error;
  }
  const { info } = service;
  process.stdout.write(
    [
      `slipway dev: ready — API ${info.apiUrl}, AWS endpoint ${info.awsEndpoint}, artifact bucket ${info.artifactBucket}`,
      `  the dashboard:   ${info.dashboardUrl}`,
      `  ship a release:  aws --endpoint-url ${info.awsEndpoint} s3 cp build.zip s3://${info.artifactBucket}/releases/hello/r2.zip`,
      '             or:  npx slipway deploy build.zip --target hello --release r2',
      '  watch it:        npx slipway history hello',
      ...(info.siteUrl ? [`  the www site:    ${info.siteUrl}  (npx slipway deploy site.zip --target www --release r2)`] : []),
      ...(info.apps?.shop?.web ? [`  the shop app:    ${info.apps.shop.web}  (npx slipway deploy examples/apps/shop --target shop --release r2)`] : []),
      '  stop:            Ctrl-C',
      '',
    ].join('\n'),
  );
  let watch: NodeJS.Timeout | undefined;
  const why = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('stopping'));
    process.once('SIGTERM', () => resolve('stopping'));
    process.once('SIGHUP', () => resolve('stopping: the terminal closed'));
    // `npm start` killed with SIGKILL leaves this process behind, re-parented: stop as on Ctrl-C
    // rather than hold the ports (moto_server itself gets a parent-death signal when this one dies).
    const parent = process.ppid;
    watch = setInterval(() => {
      if (process.ppid === parent) return;
      // Its terminal or pipe may have gone with it: a failed write must not end the clean-up.
      for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
      resolve(`stopping: the process that started it (pid ${parent}) is gone`);
    }, PARENT_CHECK_MS);
    watch.unref();
  });
  clearInterval(watch);
  process.stdout.write(`slipway dev: ${why}\n`);
  await service.stop();
}
