import { releaseNameProblem, TARGET_NAME, TARGET_NAME_RULE } from '../../shared/domain/names.js';
import { formatInZone } from '../../shared/domain/window.js';
import { ApiProblemError, RouteMissingError, type ApiClient, type StoredTarget } from '../api-client.js';
import {
  defaultReleaseName,
  locateRelease,
  zipDirectoryArtifact,
  putReleaseWithSdk,
  uploadedRelease,
  uploadToArtifactBucket,
  NOT_BEFORE_METADATA,
  type ReleaseArtifact,
  type ReleaseSource,
  type UploadedRelease,
} from '../artifact.js';
import { artifactStoreConfig, type ResolvedConfig } from '../config.js';
import { connect, type CliContext } from '../context.js';
import { CliError, UsageError } from '../errors.js';
import { formatBytes, formatDuration, formatJson, styleFor, type OutputStream } from '../output.js';
import { putToPresignedUrl } from '../presigned-upload.js';
import { transferProgress } from '../progress.js';
import { checkAppDirectory } from '../zip-directory.js';
import { withTargetSuggestions } from '../suggest.js';
import { parseAt, userTimeZone, type ScheduledStart } from '../time.js';
import { followAndReport, progressStream } from './report.js';

export interface DeployOptions {
  target: string;
  release?: string;
  /** `--at`: start no earlier than this (ISO with offset, a wall time in the user's zone, or `+2h`). */
  at?: string;
  /** Break-glass past a promotion gate; `reason` is required with it. */
  force?: boolean;
  reason?: string;
  wait: boolean;
  json: boolean;
}

/**
 * Uploads a release (a zip, or a directory zipped reproducibly) and follows its deployment.
 * The upload goes through the API's presigned URL; an API without that route gets the release
 * straight into the artifact bucket, as before (the object's arrival is the trigger either way).
 *
 * `--at` schedules the start: the release is uploaded now and the time travels with the object as
 * its `slipway-not-before` metadata, so the deployment intake creates from the upload already
 * carries it (there is no second request that could fail after the upload and leave a deployment
 * starting at once). Through the presigned URL the API signs that header into the URL and hands it
 * back among the headers to send; the CLI refuses to upload when it is not there (an API older
 * than scheduled deploys would start the release at once). Straight to the bucket, the CLI sets it
 * on PutObject itself.
 */
export async function deploy(ctx: CliContext, source: string, options: DeployOptions): Promise<number> {
  if (!TARGET_NAME.test(options.target)) {
    throw new UsageError(`invalid target name "${options.target}": it ${TARGET_NAME_RULE}`);
  }
  const releaseProblem = options.release === undefined ? undefined : releaseNameProblem(options.release);
  if (releaseProblem) throw new UsageError(`invalid release name "${options.release}": it ${releaseProblem}`);
  const forceReason = options.reason?.trim();
  if (options.force && !forceReason) throw new UsageError('--force needs --reason: say why the promotion gate is bypassed (it is recorded)');
  if (options.reason !== undefined && !options.force) throw new UsageError('--reason goes with --force; leave it out otherwise');
  const clock = ctx.now ?? (() => new Date());
  const zone = userTimeZone(ctx.env);
  const scheduled = options.at !== undefined ? parseAt(options.at, clock(), zone) : undefined;
  const notBefore = scheduled?.at.toISOString();
  const located = await locateRelease(source, ctx.cwd);
  let artifact: ReleaseArtifact | undefined = located.kind === 'zip' ? located.artifact : undefined;
  try {
    const { client, config } = await connect(ctx);
    // An unregistered target would still take the upload and end as a `failed` deployment; say so first.
    const target = await withTargetSuggestions(client, options.target, () => client.getTarget(options.target));
    const gate = (target.promotion as { from?: string } | undefined)?.from;
    if (gate && !options.force) {
      throw new CliError(
        `${options.target} takes releases only by promotion from ${gate}: deploy the release to ${gate}, then \`npx slipway pipeline promote ${options.target}\` (break-glass: --force --reason "…")`,
        1,
      );
    }

    const progress = progressStream(ctx, options.json);
    const style = styleFor(progress, ctx.env);
    artifact ??= await zipRelease(located as Extract<ReleaseSource, { kind: 'directory' }>, target, progress);
    const release = options.release ?? defaultReleaseName(clock(), artifact.sha256);
    const zipped = artifact.zippedFiles !== undefined ? `zipped ${artifact.zippedFiles} file${artifact.zippedFiles === 1 ? '' : 's'}, ` : '';
    progress.write(
      `${source} (${zipped}${formatBytes(artifact.size)}, sha256 ${artifact.sha256.slice(0, 12)}…) → ${options.target} release ${style.bold(release)}\n`,
    );
    if (scheduled) progress.write(`${describeSchedule(scheduled, zone, target)}\n`);

    const startedAt = Date.now();
    const uploaded = await upload(ctx, client, config, options.target, release, artifact, progress, notBefore);
    const seconds = (Date.now() - startedAt) / 1000;
    // A rate says something about a transfer of some size only; a small one is mostly round trips.
    const rate = seconds > 0 && artifact.size >= 1024 * 1024 ? `, ${formatBytes(artifact.size / seconds)}/s` : '';
    progress.write(
      `uploaded in ${formatDuration(Date.now() - startedAt)}${rate} to s3://${uploaded.bucket}/${uploaded.key}` +
        `${uploaded.versionId ? ` (version ${uploaded.versionId})` : ''}; deployment ${style.bold(uploaded.deploymentId)}\n`,
    );

    if (options.force && forceReason) {
      // The upload's own deployment is refused by the gate (recorded failed); the forced one is followed.
      const forced = await client.createDeployment({ target: options.target, release, force: true, reason: forceReason, ...(notBefore ? { notBefore } : {}) });
      progress.write(`forced past the promotion gate${gate ? ` (from ${gate})` : ''}: deployment ${style.bold(forced.id)} — "${forceReason}"\n`);
      if (!options.wait) {
        ctx.stdout.write(options.json ? formatJson(forced) : `follow it with: npx slipway logs ${forced.id} --follow\n`);
        return 0;
      }
      return await followAndReport(ctx, client, forced.id, options.json, { target });
    }
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
            notBefore: notBefore ?? null,
          }),
        );
      } else {
        ctx.stdout.write(`follow it with: npx slipway logs ${uploaded.deploymentId} --follow\n`);
      }
      return 0;
    }
    let checked = false;
    return await followAndReport(ctx, client, uploaded.deploymentId, options.json, {
      target,
      onPoll: (deployment) => {
        // An API that dropped the schedule starts the release as soon as its window allows: say so.
        if (!notBefore || checked) return;
        checked = true;
        if (!deployment.notBefore || Date.parse(deployment.notBefore) !== Date.parse(notBefore)) {
          ctx.stderr.write(
            `slipway: warning: deployment ${deployment.id} was recorded without the scheduled start (notBefore ${deployment.notBefore ?? 'none'}): ` +
              `this slipway API does not know --at and starts it as soon as the target allows; stop it with \`npx slipway cancel ${deployment.id}\` if it must wait\n`,
          );
        }
      },
    });
  } finally {
    await artifact?.dispose();
  }
}

/**
 * Zips a directory reproducibly. For an app its top level is checked first, one folder per
 * component (docs/apps.md): a file or a folder that names no component is refused before
 * anything is zipped or uploaded, and each component without a folder is said to stay unchanged.
 */
async function zipRelease(source: Extract<ReleaseSource, { kind: 'directory' }>, target: StoredTarget, progress: OutputStream): Promise<ReleaseArtifact> {
  if (target.kind === 'app') {
    const components = Object.keys((target.components as Record<string, unknown> | undefined) ?? {});
    const { present, absent } = await checkAppDirectory(source.dir, components, source.path);
    if (present.length === 0) {
      throw new UsageError(
        `${source.path} has no folder of a component of ${target.name} (${components.map((c) => `${c}/`).join(', ')}): nothing would change`,
      );
    }
    for (const component of absent) progress.write(`${component}/ absent: unchanged\n`);
  }
  return zipDirectoryArtifact(source.path, source.dir);
}

async function upload(
  ctx: CliContext,
  client: ApiClient,
  config: ResolvedConfig,
  target: StoredTarget['name'],
  release: string,
  artifact: ReleaseArtifact,
  progress: OutputStream,
  notBefore?: string,
): Promise<UploadedRelease> {
  let presigned;
  try {
    presigned = await client.createRelease(target, { release, sha256: artifact.sha256, size: artifact.size, ...(notBefore ? { notBefore } : {}) });
  } catch (error) {
    if (error instanceof RouteMissingError) return uploadStraightToBucket(ctx, config, target, release, artifact, progress, notBefore);
    if (notBefore && error instanceof ApiProblemError && error.problem.status === 400 && refusesNotBefore(error)) {
      throw new CliError(
        `${olderThanAt(config.api.url)} (it refused the field: ${error.message
          .split('\n')
          .map((line) => line.trim())
          .join(' ')})`,
        1,
        { cause: error },
      );
    }
    if (error instanceof ApiProblemError && error.problem.status === 409) {
      // The name is the user's input, and release names are immutable: pick another (exit 2).
      throw new CliError(`${error.message}\nrelease names are immutable: pass another --release (or leave it out for <time>-<sha256>)`, 2, {
        cause: error,
      });
    }
    throw error;
  }
  if (notBefore) {
    const bound = Object.entries(presigned.headers).find(([name]) => name.toLowerCase() === `x-amz-meta-${NOT_BEFORE_METADATA}`)?.[1];
    if (bound === undefined || Date.parse(bound) !== Date.parse(notBefore)) {
      throw new CliError(
        `${olderThanAt(config.api.url)} (its upload URL ${bound === undefined ? `does not bind x-amz-meta-${NOT_BEFORE_METADATA}` : `binds x-amz-meta-${NOT_BEFORE_METADATA}: ${bound}, not ${notBefore}`})`,
        1,
      );
    }
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
  notBefore?: string,
): Promise<UploadedRelease> {
  const store = artifactStoreConfig(ctx.env, config);
  if (notBefore) {
    progress.write(
      `(this API has no presigned uploads: the scheduled start goes as the object's ${NOT_BEFORE_METADATA} metadata, which only an intake that knows --at honours)\n`,
    );
  }
  const bar = transferProgress(progress, ctx.env, artifact.size);
  try {
    return await uploadToArtifactBucket(ctx.putRelease ?? putReleaseWithSdk, store, target, release, artifact, (sent) => bar.update(sent), notBefore);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`upload to s3://${store.bucket}/releases/${target}/${release}.zip failed: ${(error as Error).message}`, 1, { cause: error });
  } finally {
    bar.stop();
  }
}

/** `scheduled: starts no earlier than 2026-11-30 02:00 GMT+1 (your time; 2026-11-30 01:00 UTC), then only inside hello's deploy window (Europe/Berlin)`. */
function describeSchedule(scheduled: ScheduledStart, zone: string, target: StoredTarget): string {
  const utc = zone === 'UTC' ? '' : `; ${formatInZone(scheduled.at, 'UTC')}`;
  const window = target.window as { timezone?: string } | undefined;
  const inWindow = window ? `, then only inside ${target.name}'s deploy window (${window.timezone ?? 'UTC'}; see npx slipway windows show ${target.name})` : '';
  return `scheduled: starts no earlier than ${formatInZone(scheduled.at, zone)} (your time${utc})${inWindow}${scheduled.note ? `\n  note: ${scheduled.note}` : ''}`;
}

/** A 400 that names `notBefore` as a field the API does not know. */
function refusesNotBefore(error: ApiProblemError): boolean {
  const text = JSON.stringify(error.problem);
  return text.includes('notBefore') && /unrecognized|unknown|not allowed|additional/i.test(text);
}

function olderThanAt(apiUrl: string): string {
  return `the slipway API at ${apiUrl} does not take scheduled deploys (--at) yet, so nothing was uploaded: update it, or deploy without --at`;
}
