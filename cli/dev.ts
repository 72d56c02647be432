import { startDevService } from '../dev/dev-service.js';

/** `slipway dev` (`npm start`): runs until Ctrl-C, then stops everything it started. */
export async function runDev(options: { projectRoot: string }): Promise<void> {
  // SLIPWAY_DEV_STATE_DIR moves .slipway/ (dev.json) elsewhere, e.g. for a second instance.
  const stateDir = process.env.SLIPWAY_DEV_STATE_DIR;
  const service = await startDevService({ projectRoot: options.projectRoot, ...(stateDir ? { stateDir } : {}) });
  const { info } = service;
  process.stdout.write(
    [
      `slipway dev: ready — API ${info.apiUrl}, AWS endpoint ${info.awsEndpoint}, artifact bucket ${info.artifactBucket}`,
      `  ship a release:  aws --endpoint-url ${info.awsEndpoint} s3 cp build.zip s3://${info.artifactBucket}/releases/hello/r2.zip`,
      '             or:  npx slipway deploy build.zip --target hello --release r2',
      '  watch it:        npx slipway history hello',
      ...(info.siteUrl ? [`  the www site:    ${info.siteUrl}  (npx slipway deploy site.zip --target www --release r2)`] : []),
      '  stop:            Ctrl-C',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    const shutdown = () => resolve();
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
  process.stdout.write('slipway dev: stopping\n');
  await service.stop();
}
