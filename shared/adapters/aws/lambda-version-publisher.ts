import { GetFunctionConfigurationCommand, PublishVersionCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import type { ArtifactRef } from '../../domain/deployment.js';
import { ArtifactRejectedError, ConcurrentModificationError, MissingResourceError, TransientError } from '../../domain/errors.js';
import type { VersionPublisher } from '../../ports/index.js';
import type { LambdaAdapterOptions } from './lambda-adapter.js';
import { LambdaVersionCatalog } from './lambda-version-catalog.js';
import { errorName, rethrowTransient } from './sdk-errors.js';

const GUARD_ERRORS = new Set(['PreconditionFailedException', 'InvalidParameterValueException']);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The longest one Stage invocation waits for UpdateFunctionCode to settle: the stage function outlasts it. */
export const CODE_UPDATE_WAIT_MS = 120_000;

export interface LambdaVersionPublisherOptions extends LambdaAdapterOptions {
  /** How long to wait for an UpdateFunctionCode to settle inside one Task invocation. */
  updateTimeoutMs?: number;
}

export class LambdaVersionPublisher extends LambdaVersionCatalog implements VersionPublisher {
  private readonly updateTimeoutMs: number;

  constructor(options: LambdaVersionPublisherOptions = {}) {
    super(options);
    this.updateTimeoutMs = options.updateTimeoutMs ?? CODE_UPDATE_WAIT_MS;
  }

  async codeSha256(fn: string, qualifier: string): Promise<string> {
    const out = await this.call(`reading ${fn}:${qualifier}`, () =>
      this.client.send(new GetFunctionConfigurationCommand({ FunctionName: fn, Qualifier: qualifier })),
    );
    return out.CodeSha256 ?? '';
  }

  async updateCode(fn: string, artifact: ArtifactRef): Promise<{ revisionId: string; codeSha256: string }> {
    try {
      await this.client.send(
        new UpdateFunctionCodeCommand({
          FunctionName: fn,
          S3Bucket: artifact.bucket,
          S3Key: artifact.key,
          ...(artifact.versionId ? { S3ObjectVersion: artifact.versionId } : {}),
        }),
      );
    } catch (error) {
      if (errorName(error) === 'InvalidParameterValueException' || errorName(error) === 'CodeStorageExceededException') {
        throw new ArtifactRejectedError(`Lambda refused the code of ${fn}: ${(error as Error).message}`, { cause: error });
      }
      if (errorName(error) === 'ResourceNotFoundException') {
        throw new MissingResourceError(`function ${fn} does not exist`, { cause: error });
      }
      rethrowTransient(error, `updating the code of ${fn}`);
    }
    // Lambda applies the update asynchronously; PublishVersion before it settles would publish the old code.
    const deadline = Date.now() + this.updateTimeoutMs;
    let delay = 100;
    for (;;) {
      const config = await this.call(`reading ${fn}`, () =>
        this.client.send(new GetFunctionConfigurationCommand({ FunctionName: fn })),
      );
      if (config.LastUpdateStatus === 'Failed') {
        throw new ArtifactRejectedError(
          `Lambda could not apply the code to ${fn}: ${config.LastUpdateStatusReason ?? 'no reason given'}`,
        );
      }
      if (config.LastUpdateStatus !== 'InProgress') {
        return { revisionId: config.RevisionId ?? '', codeSha256: config.CodeSha256 ?? '' };
      }
      if (Date.now() > deadline) throw new TransientError(`the code update of ${fn} is still in progress`);
      await sleep(delay);
      delay = Math.min(delay * 2, 2000);
    }
  }

  async publishVersion(fn: string, guard: { codeSha256: string; revisionId: string }, description: string): Promise<string> {
    try {
      const out = await this.client.send(
        new PublishVersionCommand({
          FunctionName: fn,
          CodeSha256: guard.codeSha256,
          RevisionId: guard.revisionId,
          Description: description.slice(0, 256),
        }),
      );
      if (!out.Version) throw new TransientError(`PublishVersion of ${fn} returned no version`);
      return out.Version;
    } catch (error) {
      if (GUARD_ERRORS.has(errorName(error) ?? '')) {
        throw new ConcurrentModificationError(
          `${fn} changed while slipway was publishing it (CodeSha256/RevisionId guard): ${(error as Error).message}`,
          { cause: error },
        );
      }
      rethrowTransient(error, `publishing ${fn}`);
    }
  }
}
