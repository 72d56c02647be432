import { RELEASE_NAME, TARGET_NAME } from '../../shared/domain/target.js';
import { ApiProblemError, RouteMissingError, type ApiClient, type StoredTarget } from '../api-client.js';
import {
  defaultReleaseName,
  prepareArtifact,
  putReleaseWithSdk,
  uploadedRelease,
  uploadToArtifactBucket,
  type ReleaseArtifact,
  type UploadedRelease,
} from '../artifact.js';
import { artifactStoreConfig, type ResolvedConfig } from '../config.js';
import { connect, type CliContext } from '../context.js';
import { CliError, UsageError } from '../errors.js';
import { formatBytes, formatDuration, formatJson, styleFor, type OutputStream } from '../output.js';
import { putToPresignedUrl } from '../presigned-upload.js';
import { transferProgress } from '../progress.js';
import { withTargetSuggestions } from '../suggest.js';
import { followAndReport, progressStream } from './report.js';

export interface DeployOptions {
  target: string;
  release?: string;
  wait: boolean;
  json: boolean;
}

/**
 * Uploads a release (a zip, or a directory zipped reproducibly) and follows its deployment.
 * The upload goes through the API's presigned URL; an API without that route gets the release
 * straight into the artifact bucket, as before (the object's arrival is the trigger either way).
 */
export async function deploy(ctx: CliContext, source: string, options: DeployOptions): Promise<number> {
  if (!TARGET_NAME.test(options.target)) {
    throw new UsageError(`invalid target name "${options.target}": it must match [a-z0-9][a-z0-9-]{0,47}`);
  }
  if (options.release !== undefined && !RELEASE_NAME.test(options.release)) {
    throw new UsageError(`invalid release name "${options.release}": it must match [A-Za-z0-9._-]{1,128}`);
  }
  const artifact = await prepareArtifact(source, ctx.cwd);
  try {
    const { client, config } = await connect(ctx);
    // An unregistered target would still take the upload and end as a `failed` deployment; say so first.
    const target = await withTargetSuggestions(client, options.target, () => client.getTarget(options.target));

    const release = options.release ?? defaultReleaseName((ctx.now ?? (() => new Date()))(), artifact.sha256);
    const progress = progressStream(ctx, options.json);
    const style = styleFor(progress, ctx.env);
    const zipped = artifact.zippedFiles !== undefined ? `zipped ${artifact.zippedFiles} file${artifact.zippedFiles === 1 ? '' : 's'}, ` : '';
    progress.write(`${source} (${zipped}${formatBytes(artifact.size)}, sha256 ${artifact.sha256.slice(0, 12)}…) → ${options.target} release ${style.bold(release)}\n`);

    const startedAt = Date.now();
    const uploaded = await upload(ctx, client, config, options.target, release, artifact, progress);
    const seconds = (Date.now() - startedAt) / 1000;
    // A rate says something about a transfer of some size only; a small one is mostly round trips.
    const rate = seconds > 0 && artifact.size >= 1024 * 1024 ? `, ${formatBytes(artifact.size / seconds)}/s` : '';
    progress.write(
      `uploaded in ${formatDuration(Date.now() - startedAt)}${rate} to s3://${uploaded.bucket}/${uploaded.key}` +
        `${uploaded.versionId ? ` (version ${uploaded.versionId})` : ''}; deployment ${style.bold(uploaded.deploymentId)}\n`,
    );

    if (!options.wait) {
      if (options.json) {
        ctx.stdout.write(
          formatJson({
            id: uploaded.deploymentId,
            target: options.target,
            release,
            bucket: uploaded.bucket,
            key: uploaded.key,
            versionId: uploaded.versionId ?? null,
            sha256: artifact.sha256,
            size: artifact.size,
          }),
        );
      } else {
        ctx.stdout.write(`follow it with: slipway logs ${uploaded.deploymentId} --follow\n`);
      }
      return 0;
    }
    return await followAndReport(ctx, client, uploaded.deploymentId, options.json, { target });
  } finally {
    await artifact.dispose();
  }
}

async function upload(
  ctx: CliContext,
  client: ApiClient,
  config: ResolvedConfig,
  target: StoredTarget['name'],
  release: string,
  artifact: ReleaseArtifact,
  progress: OutputStream,
): Promise<UploadedRelease> {
  let presigned;
  try {
    presigned = await client.createRelease(target, { release, sha256: artifact.sha256, size: artifact.size });
  } catch (error) {
    if (error instanceof RouteMissingError) return uploadStraightToBucket(ctx, config, target, release, artifact, progress);
    if (error instanceof ApiProblemError && error.problem.status === 409) {
      // The name is the user's input, and release names are immutable: pick another (exit 2).
      throw new CliError(`${error.message}\nrelease names are immutable: pass another --release (or leave it out for <time>-<sha256>)`, 2, {
        cause: error,
      });
    }
    throw error;
  }
  const bar = transferProgress(progress, ctx.env, artifact.size);
  try {
    const { versionId, etag } = await putToPresignedUrl(presigned, artifact, (sent) => bar.update(sent));
    return uploadedRelease({ bucket: presigned.bucket, key: presigned.key, versionId, etag }, 'presigned-url');
  } finally {
    bar.stop();
  }
}

/** APIs without presigned uploads: PutObject to the artifact bucket with the SDK (dev mode: its emulator). */
async function uploadStraightToBucket(
  ctx: CliContext,
  config: ResolvedConfig,
  target: string,
  release: string,
  artifact: ReleaseArtifact,
  progress: OutputStream,
): Promise<UploadedRelease> {
  const store = artifactStoreConfig(ctx.env, config);
  const bar = transferProgress(progress, ctx.env, artifact.size);
  try {
    return await uploadToArtifactBucket(ctx.putRelease ?? putReleaseWithSdk, store, target, release, artifact, (sent) => bar.update(sent));
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`upload to s3://${store.bucket}/releases/${target}/${release}.zip failed: ${(error as Error).message}`, 1, { cause: error });
  } finally {
    bar.stop();
  }
}
