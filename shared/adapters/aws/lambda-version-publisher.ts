import {
  GetFunctionConfigurationCommand,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  type FunctionConfiguration,
} from '@aws-sdk/client-lambda';
import { CONFIG_DIGEST_ENV } from '../../domain/configuration.js';
import type { ArtifactRef } from '../../domain/deployment.js';
import {
  ArtifactRejectedError,
  ConcurrentModificationError,
  MissingResourceError,
  TransientError,
  ValidationError,
  VersionFailedError,
} from '../../domain/errors.js';
import type { FunctionSettings, VersionConfiguration, VersionPublisher } from '../../ports/index.js';
import type { LambdaAdapterOptions } from './lambda-adapter.js';
import { LambdaVersionCatalog } from './lambda-version-catalog.js';
import { errorName, rethrowTransient } from './sdk-errors.js';

const GUARD_ERRORS = new Set(['PreconditionFailedException', 'InvalidParameterValueException']);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The longest one Stage invocation waits for UpdateFunctionCode to settle: the stage function outlasts it. */
export const CODE_UPDATE_WAIT_MS = 120_000;
/** How long Stage waits for a new version to become Active before the Task is retried; the two waits fit in the function timeout (test/package). */
export const VERSION_ACTIVE_WAIT_MS = 45_000;

export interface LambdaVersionPublisherOptions extends LambdaAdapterOptions {
  /** How long to wait for an UpdateFunctionCode to settle inside one Task invocation. */
  updateTimeoutMs?: number;
  /** How long to wait for a published version to become Active inside one Task invocation. */
  activeTimeoutMs?: number;
}

export function toVersionConfiguration(config: FunctionConfiguration): VersionConfiguration {
  return {
    codeSha256: config.CodeSha256 ?? '',
    role: config.Role ?? '',
    ...(config.DeadLetterConfig?.TargetArn ? { deadLetterTargetArn: config.DeadLetterConfig.TargetArn } : {}),
    ...(config.State ? { state: config.State } : {}),
    ...(config.StateReasonCode ? { stateReasonCode: config.StateReasonCode } : {}),
    ...(config.StateReason ? { stateReason: config.StateReason } : {}),
    // Only slipway's digest is taken from the environment: the other values may be secrets.
    ...(config.Environment?.Variables?.[CONFIG_DIGEST_ENV] ? { configDigest: config.Environment.Variables[CONFIG_DIGEST_ENV] } : {}),
  };
}

export class LambdaVersionPublisher extends LambdaVersionCatalog implements VersionPublisher {
  private readonly updateTimeoutMs: number;
  private readonly activeTimeoutMs: number;
  /** What PublishVersion answered for a version that was Active at once, so awaitVersionActive need not read it again. */
  private readonly publishedActive = new Map<string, FunctionConfiguration>();

  constructor(options: LambdaVersionPublisherOptions = {}) {
    super(options);
    this.updateTimeoutMs = options.updateTimeoutMs ?? CODE_UPDATE_WAIT_MS;
    this.activeTimeoutMs = options.activeTimeoutMs ?? VERSION_ACTIVE_WAIT_MS;
  }

  private readConfiguration(fn: string, qualifier: string): Promise<FunctionConfiguration> {
    return this.call(`reading ${fn}:${qualifier}`, () => this.client.send(new GetFunctionConfigurationCommand({ FunctionName: fn, Qualifier: qualifier })));
  }

  async codeSha256(fn: string, qualifier: string): Promise<string> {
    return (await this.readConfiguration(fn, qualifier)).CodeSha256 ?? '';
  }

  async versionConfiguration(fn: string, qualifier: string): Promise<VersionConfiguration> {
    return toVersionConfiguration(await this.readConfiguration(fn, qualifier));
  }

  /**
   * A new version is Pending until Lambda has prepared it (a SnapStart snapshot, a large package);
   * an alias routed to it meanwhile answers invocations with errors. On timeout the Task fails
   * with a TransientError and Step Functions retries Stage, which finds the version again.
   */
  async awaitVersionActive(fn: string, version: string): Promise<VersionConfiguration> {
    const answered = this.publishedActive.get(`${fn}:${version}`);
    if (answered) {
      this.publishedActive.delete(`${fn}:${version}`);
      return toVersionConfiguration(answered);
    }
    const deadline = Date.now() + this.activeTimeoutMs;
    let delay = 100;
    for (;;) {
      const config = await this.readConfiguration(fn, version);
      if (config.State === 'Failed' || config.LastUpdateStatus === 'Failed') {
        const code = config.State === 'Failed' ? config.StateReasonCode : config.LastUpdateStatusReasonCode;
        const reason = config.State === 'Failed' ? config.StateReason : config.LastUpdateStatusReason;
        throw new VersionFailedError(
          `Lambda could not make version ${version} of ${fn} ready (${code ?? 'no reason code'}: ${reason ?? 'no reason given'}); ` +
            'fix the cause (see the reason code in the Lambda documentation on function states) and deploy again',
        );
      }
      // Old answers carry no State; a version without one is as ready as Lambda will say.
      const active = (config.State ?? 'Active') === 'Active';
      const updated = (config.LastUpdateStatus ?? 'Successful') === 'Successful';
      if (active && updated) return toVersionConfiguration(config);
      if (Date.now() > deadline) {
        throw new TransientError(
          `version ${version} of ${fn} is still ${config.State ?? 'Pending'} (${config.StateReasonCode ?? config.LastUpdateStatusReasonCode ?? 'no reason code'}) after ${Math.round(this.activeTimeoutMs / 1000)}s`,
        );
      }
      await sleep(delay);
      delay = Math.min(delay * 2, 5000);
    }
  }

  async updateConfiguration(fn: string, settings: FunctionSettings): Promise<void> {
    let answer: FunctionConfiguration | undefined;
    try {
      answer = await this.client.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: fn,
          Environment: { Variables: settings.environment },
          ...(settings.memorySize !== undefined ? { MemorySize: settings.memorySize } : {}),
          ...(settings.timeout !== undefined ? { Timeout: settings.timeout } : {}),
        }),
      );
    } catch (error) {
      const code = errorName(error);
      // Lambda's message for a refused environment quotes the variables ("String measured: ..."),
      // secret values included: neither the message nor the error goes on.
      if (code === 'InvalidParameterValueException') {
        throw new ValidationError(
          `Lambda refused the configuration of ${fn} (InvalidParameterValueException: an environment over 4 KB, a memory size or timeout out of range); check the target's configuration and deploy again`,
        );
      }
      if (code === 'ResourceNotFoundException') throw new MissingResourceError(`function ${fn} does not exist`);
      rethrowTransient(error, `updating the configuration of ${fn}`);
    }
    if (answer?.LastUpdateStatus === 'Successful') return;
    // Lambda applies the update asynchronously; UpdateFunctionCode before it settles is refused (ResourceConflictException).
    const deadline = Date.now() + this.updateTimeoutMs;
    let delay = 100;
    for (;;) {
      const config = await this.readConfiguration(fn, '$LATEST');
      if (config.LastUpdateStatus === 'Failed') {
        throw new VersionFailedError(
          `Lambda could not apply the configuration to ${fn} (${config.LastUpdateStatusReasonCode ?? 'no reason code'}: ${config.LastUpdateStatusReason ?? 'no reason given'}); ` +
            'fix the cause (see the reason code in the Lambda documentation on function states) and deploy again',
        );
      }
      if ((config.LastUpdateStatus ?? 'Successful') === 'Successful') return;
      if (Date.now() > deadline) throw new TransientError(`the configuration update of ${fn} is still in progress`);
      await sleep(delay);
      delay = Math.min(delay * 2, 2000);
    }
  }

  async updateCode(fn: string, artifact: ArtifactRef): Promise<{ revisionId: string; codeSha256: string }> {
    let answer: { LastUpdateStatus?: string; RevisionId?: string; CodeSha256?: string } | undefined;
    try {
      answer = await this.client.send(
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
    // An update that already answers Successful (emulators do) needs no polling.
    if (answer?.LastUpdateStatus === 'Successful' && answer.RevisionId && answer.CodeSha256) {
      return { revisionId: answer.RevisionId, codeSha256: answer.CodeSha256 };
    }
    // Lambda applies the update asynchronously; PublishVersion before it settles would publish the old code.
    const deadline = Date.now() + this.updateTimeoutMs;
    let delay = 100;
    for (;;) {
      const config = await this.call(`reading ${fn}`, () => this.client.send(new GetFunctionConfigurationCommand({ FunctionName: fn })));
      if (config.LastUpdateStatus === 'Failed') {
        throw new ArtifactRejectedError(`Lambda could not apply the code to ${fn}: ${config.LastUpdateStatusReason ?? 'no reason given'}`);
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
      // Only an explicit Active with a settled update counts (an answer without State may be Pending).
      if (out.State === 'Active' && (out.LastUpdateStatus ?? 'Successful') === 'Successful') this.publishedActive.set(`${fn}:${out.Version}`, out);
      return out.Version;
    } catch (error) {
      if (GUARD_ERRORS.has(errorName(error) ?? '')) {
        throw new ConcurrentModificationError(`${fn} changed while slipway was publishing it (CodeSha256/RevisionId guard): ${(error as Error).message}`, {
          cause: error,
        });
      }
      rethrowTransient(error, `publishing ${fn}`);
    }
  }
}
