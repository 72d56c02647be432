import {
  DeleteFunctionCommand,
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  ListAliasesCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  type AliasConfiguration,
} from '@aws-sdk/client-lambda';
import type { ArtifactRef } from '../../domain/deployment.js';
import {
  ArtifactRejectedError,
  ConcurrentModificationError,
  HookFailedError,
  MissingResourceError,
  TransientError,
} from '../../domain/errors.js';
import type { AliasState, FunctionHost } from '../../ports/index.js';
import { errorName, rethrowTransient } from './sdk-errors.js';

const GUARD_ERRORS = new Set(['PreconditionFailedException', 'InvalidParameterValueException']);

function toAliasState(alias: AliasConfiguration): AliasState {
  const weights = Object.entries(alias.RoutingConfig?.AdditionalVersionWeights ?? {});
  const first = weights[0];
  return {
    version: alias.FunctionVersion ?? '$LATEST',
    revisionId: alias.RevisionId ?? '',
    ...(first ? { additional: { version: first[0], weight: first[1] } } : {}),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface LambdaFunctionHostOptions {
  client?: LambdaClient;
  /** How long to wait for an UpdateFunctionCode to settle inside one Task invocation. */
  updateTimeoutMs?: number;
}

export class LambdaFunctionHost implements FunctionHost {
  private readonly client: LambdaClient;
  private readonly updateTimeoutMs: number;

  constructor(options: LambdaFunctionHostOptions = {}) {
    this.client = options.client ?? new LambdaClient({});
    this.updateTimeoutMs = options.updateTimeoutMs ?? 120_000;
  }

  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') {
        throw new MissingResourceError(`${what}: ${(error as Error).message}`, { cause: error });
      }
      rethrowTransient(error, what);
    }
  }

  async getAlias(fn: string, alias: string): Promise<AliasState> {
    const out = await this.call(`reading alias ${fn}:${alias}`, () =>
      this.client.send(new GetAliasCommand({ FunctionName: fn, Name: alias })),
    );
    return toAliasState(out);
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

  async updateAlias(
    fn: string,
    alias: string,
    routing: { version: string; additional?: { version: string; weight: number } },
    revisionId: string,
  ): Promise<AliasState> {
    try {
      const out = await this.client.send(
        new UpdateAliasCommand({
          FunctionName: fn,
          Name: alias,
          FunctionVersion: routing.version,
          RoutingConfig: {
            AdditionalVersionWeights: routing.additional
              ? { [routing.additional.version]: routing.additional.weight }
              : {},
          },
          RevisionId: revisionId,
        }),
      );
      return toAliasState(out);
    } catch (error) {
      if (errorName(error) === 'PreconditionFailedException') {
        throw new ConcurrentModificationError(`alias ${fn}:${alias} changed under slipway (RevisionId guard)`, {
          cause: error,
        });
      }
      rethrowTransient(error, `updating alias ${fn}:${alias}`);
    }
  }

  async listVersions(fn: string): Promise<{ version: string; codeSha256: string; description?: string }[]> {
    const versions: { version: string; codeSha256: string; description?: string }[] = [];
    let marker: string | undefined;
    do {
      const out = await this.call(`listing versions of ${fn}`, () =>
        this.client.send(new ListVersionsByFunctionCommand({ FunctionName: fn, Marker: marker })),
      );
      for (const v of out.Versions ?? []) {
        if (!v.Version || v.Version === '$LATEST') continue;
        versions.push({ version: v.Version, codeSha256: v.CodeSha256 ?? '', ...(v.Description ? { description: v.Description } : {}) });
      }
      marker = out.NextMarker;
    } while (marker);
    return versions;
  }

  async aliasedVersions(fn: string): Promise<Set<string>> {
    const used = new Set<string>();
    let marker: string | undefined;
    do {
      const out = await this.call(`listing aliases of ${fn}`, () =>
        this.client.send(new ListAliasesCommand({ FunctionName: fn, Marker: marker })),
      );
      for (const a of out.Aliases ?? []) {
        if (a.FunctionVersion) used.add(a.FunctionVersion);
        for (const v of Object.keys(a.RoutingConfig?.AdditionalVersionWeights ?? {})) used.add(v);
      }
      marker = out.NextMarker;
    } while (marker);
    return used;
  }

  async deleteVersion(fn: string, version: string): Promise<void> {
    try {
      await this.client.send(new DeleteFunctionCommand({ FunctionName: fn, Qualifier: version }));
    } catch (error) {
      // Gone already, or an alias started pointing at it since we listed: keep it.
      if (errorName(error) === 'ResourceNotFoundException' || errorName(error) === 'ResourceConflictException') return;
      rethrowTransient(error, `deleting ${fn}:${version}`);
    }
  }

  async invokeHook(fn: string, payload: unknown): Promise<unknown> {
    const out = await this.call(`invoking hook ${fn}`, () =>
      this.client.send(new InvokeCommand({ FunctionName: fn, Payload: Buffer.from(JSON.stringify(payload)) })),
    );
    const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
    let result: unknown = text;
    try {
      result = text ? JSON.parse(text) : null;
    } catch {
      // a hook may answer with plain text; only an error or { status: "Failed" } fails it
    }
    if (out.FunctionError) {
      const message = (result as { errorMessage?: string })?.errorMessage ?? text;
      throw new HookFailedError(`hook ${fn} failed: ${message}`);
    }
    if (result && typeof result === 'object' && (result as { status?: unknown }).status === 'Failed') {
      const why = (result as { reason?: unknown }).reason;
      throw new HookFailedError(`hook ${fn} returned status Failed${typeof why === 'string' ? `: ${why}` : ''}`);
    }
    return result;
  }
}
