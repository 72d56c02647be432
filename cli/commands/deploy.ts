import { basename } from 'node:path';
import { RELEASE_NAME, TARGET_NAME } from '../../shared/domain/target.js';
import { defaultReleaseName, putReleaseWithSdk, readReleaseZip, uploadRelease, type UploadedRelease } from '../artifact.js';
import { artifactStoreConfig } from '../config.js';
import { connect, type CliContext } from '../context.js';
import { CliError, UsageError } from '../errors.js';
import { formatJson, styleFor } from '../output.js';
import { followAndReport, progressStream } from './report.js';

export interface DeployOptions {
  target: string;
  release?: string;
  wait: boolean;
  json: boolean;
}

/** Uploads a release zip to the artifact bucket (that is the trigger) and follows its deployment. */
export async function deploy(ctx: CliContext, zipPath: string, options: DeployOptions): Promise<number> {
  if (!TARGET_NAME.test(options.target)) {
    throw new UsageError(`invalid target name "${options.target}": it must match [a-z0-9][a-z0-9-]{0,47}`);
  }
  if (options.release !== undefined && !RELEASE_NAME.test(options.release)) {
    throw new UsageError(`invalid release name "${options.release}": it must match [A-Za-z0-9._-]{1,128}`);
  }
  const artifact = await readReleaseZip(zipPath, ctx.cwd);
  const { client, config } = await connect(ctx);
  const store = artifactStoreConfig(ctx.env, config);
  // An unregistered target would still upload and end as a `failed` deployment; say so before uploading.
  await client.getTarget(options.target);

  const release = options.release ?? defaultReleaseName((ctx.now ?? (() => new Date()))(), artifact.sha256);
  const progress = progressStream(ctx, options.json);
  const style = styleFor(progress, ctx.env);
  const destination = `s3://${store.bucket}/releases/${options.target}/${release}.zip`;
  progress.write(`uploading ${basename(zipPath)} (${formatBytes(artifact.bytes.length)}, sha256 ${artifact.sha256.slice(0, 12)}…) to ${destination}\n`);

  let uploaded: UploadedRelease;
  try {
    uploaded = await uploadRelease(ctx.putRelease ?? putReleaseWithSdk, store, options.target, release, artifact);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`upload to ${destination} failed: ${(error as Error).message}`, 1, { cause: error });
  }
  progress.write(
    `uploaded${uploaded.versionId ? ` (object version ${uploaded.versionId})` : ''}; deployment ${style.bold(uploaded.deploymentId)}\n`,
  );

  if (!options.wait) {
    if (options.json) {
      ctx.stdout.write(formatJson({ id: uploaded.deploymentId, target: options.target, release, ...objectOf(uploaded), sha256: artifact.sha256 }));
    } else {
      ctx.stdout.write(`follow it with: slipway status ${uploaded.deploymentId}\n`);
    }
    return 0;
  }
  return followAndReport(ctx, client, uploaded.deploymentId, options.json);
}

function objectOf(u: UploadedRelease) {
  return { bucket: u.bucket, key: u.key, versionId: u.versionId ?? null };
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
