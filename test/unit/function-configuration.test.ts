import {
  GetFunctionConfigurationCommand,
  LambdaClient,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { LambdaVersionPublisher } from '../../shared/adapters/aws/lambda-version-publisher.js';
import { SecretsManagerSecrets } from '../../shared/adapters/aws/secretsmanager-secrets.js';
import { SsmParameters } from '../../shared/adapters/aws/ssm-parameters.js';
import { CONFIG_DIGEST_ENV } from '../../shared/domain/configuration.js';
import { codeSha256FromHex, type Deployment } from '../../shared/domain/deployment.js';
import { MissingResourceError, ValidationError, VersionFailedError } from '../../shared/domain/errors.js';
import { functionTargetSchema, parseWith } from '../../shared/domain/target.js';
import type { DeploymentPatch, DeploymentStore } from '../../shared/ports/index.js';
import { stage } from '../../shared/usecases/workflow/stage.js';

// moto applies UpdateFunctionConfiguration at once and never reports Failed, and does not quote the
// environment in its refusals: the order of the calls, the wait and the refusals are pinned down here.
const lambda = mockClient(LambdaClient);
const ssm = mockClient(SSMClient);
const secretsManager = mockClient(SecretsManagerClient);

function awsError(name: string, message = `${name} from AWS`, status = 400): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

beforeEach(() => {
  lambda.reset();
  ssm.reset();
  secretsManager.reset();
});

describe('Class: SsmParameters', () => {
  const adapter = () => new SsmParameters({ client: new SSMClient({ region: 'us-east-1' }) });

  it('reads the parameter decrypted and pins its version', async () => {
    // Prepare
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: '/shop/db', Value: 's3cr3t', Version: 4 } });
    // Act
    const got = await adapter().resolveParameter('/shop/db');
    // Assess
    expect(got).toEqual({ value: 's3cr3t', version: 4 });
    expect(ssm).toReceiveCommandWith(GetParameterCommand, { Name: '/shop/db', WithDecryption: true });
  });

  it('names a missing parameter and says how to create it', async () => {
    // Prepare
    ssm.on(GetParameterCommand).rejects(awsError('ParameterNotFound'));
    // Act & Assess
    const error = await adapter()
      .resolveParameter('/shop/db')
      .catch((e: Error) => e);
    expect(error).toBeInstanceOf(MissingResourceError);
    expect((error as Error).message).toMatch(/SSM parameter \/shop\/db does not exist.*put-parameter/);
  });
});

describe('Class: SecretsManagerSecrets', () => {
  const adapter = () => new SecretsManagerSecrets({ client: new SecretsManagerClient({ region: 'us-east-1' }) });

  it('reads the current string value and pins its version id', async () => {
    // Prepare
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: 'sk_live_1', VersionId: 'v-1' });
    // Act & Assess
    expect(await adapter().resolveSecret('shop/stripe')).toEqual({ value: 'sk_live_1', versionId: 'v-1' });
    expect(secretsManager).toReceiveCommandWith(GetSecretValueCommand, { SecretId: 'shop/stripe' });
  });

  it('names a missing secret as a permanent error', async () => {
    // Prepare
    secretsManager.on(GetSecretValueCommand).rejects(awsError('ResourceNotFoundException'));
    // Act & Assess
    await expect(adapter().resolveSecret('shop/stripe')).rejects.toThrow(MissingResourceError);
    await expect(adapter().resolveSecret('shop/stripe')).rejects.toThrow(/secret shop\/stripe does not exist/);
  });

  it('refuses a binary secret, which cannot be an environment variable', async () => {
    // Prepare
    secretsManager.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1, 2]), VersionId: 'v-1' });
    // Act & Assess
    await expect(adapter().resolveSecret('shop/cert')).rejects.toThrow(ValidationError);
  });
});

describe('Method: LambdaVersionPublisher.updateConfiguration', () => {
  const adapter = () => new LambdaVersionPublisher({ client: new LambdaClient({ region: 'us-east-1' }), updateTimeoutMs: 2000 });

  it('fails permanently with the reason when Lambda reports the update Failed', async () => {
    // Prepare
    lambda.on(UpdateFunctionConfigurationCommand).resolves({ LastUpdateStatus: 'InProgress' });
    lambda
      .on(GetFunctionConfigurationCommand)
      .resolves({ LastUpdateStatus: 'Failed', LastUpdateStatusReasonCode: 'KMSKeyAccessDenied', LastUpdateStatusReason: 'no access' });
    // Act & Assess
    const error = await adapter()
      .updateConfiguration('shop', { environment: { A: 'b' } })
      .catch((e: Error) => e);
    expect(error).toBeInstanceOf(VersionFailedError);
    expect((error as Error).message).toMatch(/KMSKeyAccessDenied: no access/);
  });

  it('does not pass on Lambda refusal text, which quotes the variables', async () => {
    // Prepare
    lambda
      .on(UpdateFunctionConfigurationCommand)
      .rejects(awsError('InvalidParameterValueException', 'exceeded the 4KB limit. String measured: {"TOKEN":"very-secret"}'));
    // Act
    const error = await adapter()
      .updateConfiguration('shop', { environment: { TOKEN: 'very-secret' } })
      .catch((e: Error) => e);
    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect(JSON.stringify({ message: (error as Error).message, cause: String((error as Error).cause) })).not.toContain('very-secret');
  });
});

describe('Function: stage (configured function target)', () => {
  const sha256 = 'ab'.repeat(32);
  const target = parseWith(
    functionTargetSchema,
    {
      name: 'shop',
      kind: 'function',
      function: { name: 'shop', alias: 'live' },
      configuration: { environment: { MODE: 'prod', TOKEN: { parameter: '/shop/token' }, KEY: { secret: 'shop/key' } }, memorySize: 512 },
    },
    'target',
  );

  function deployments(): DeploymentStore & { patches: DeploymentPatch[]; messages: string[] } {
    const patches: DeploymentPatch[] = [];
    const messages: string[] = [];
    return {
      patches,
      messages,
      create: async () => {
        throw new Error('not used');
      },
      get: async () => undefined,
      listByTarget: async () => [] as Deployment[],
      update: async (_id, patch, entry) => {
        patches.push(patch);
        messages.push(entry.message ?? '');
        return { id: 'd-1', status: 'staging' } as Deployment;
      },
    };
  }

  function deps(store = deployments()) {
    return {
      store,
      deps: {
        deployments: store,
        aliases: { getAlias: async () => ({ version: '1', revisionId: 'alias-rev' }) },
        versions: new LambdaVersionPublisher({ client: new LambdaClient({ region: 'us-east-1' }), updateTimeoutMs: 2000 }),
        parameters: { resolveParameter: async () => ({ value: 'token-value', version: 3 }) },
        secrets: { resolveSecret: async () => ({ value: 'key-value', versionId: 'kv-9' }) },
      },
    };
  }

  const state = {
    deploymentId: 'd-1',
    target,
    steps: [{ percent: 100, bakeSeconds: 0 }],
    record: {
      target: 'shop',
      release: 'r2',
      trigger: 'config' as const,
      requestedAt: '2026-01-01T00:00:00.000Z',
      sha256,
      artifact: { bucket: 'b', key: 'releases/shop/r2.zip' },
    },
  };

  it('sets the configuration, waits for it, then updates the code and publishes guarded by the RevisionId', async () => {
    // Prepare
    const { deps: d, store } = deps();
    lambda.on(ListVersionsByFunctionCommand).resolves({ Versions: [{ Version: '$LATEST' }, { Version: '1', CodeSha256: codeSha256FromHex(sha256) }] });
    lambda.on(GetFunctionConfigurationCommand, { Qualifier: '1' }).resolves({ CodeSha256: codeSha256FromHex(sha256), Role: 'r', State: 'Active' });
    lambda
      .on(GetFunctionConfigurationCommand, { Qualifier: '$LATEST' })
      .resolvesOnce({ LastUpdateStatus: 'InProgress' })
      .resolves({ LastUpdateStatus: 'Successful' });
    lambda.on(UpdateFunctionConfigurationCommand).resolves({ LastUpdateStatus: 'InProgress' });
    lambda.on(UpdateFunctionCodeCommand).resolves({ LastUpdateStatus: 'Successful', RevisionId: 'rev-2', CodeSha256: codeSha256FromHex(sha256) });
    lambda.on(PublishVersionCommand).callsFake(() => {
      const sent = lambda.commandCalls(UpdateFunctionConfigurationCommand)[0]!.args[0].input;
      return { Version: '2', State: 'Active', LastUpdateStatus: 'Successful', Environment: sent.Environment };
    });
    // Act
    const next = await stage(d, state);
    // Assess
    const order = lambda
      .calls()
      .map(
        (c) =>
          `${c.args[0].constructor.name}${(c.args[0].input as { Qualifier?: string }).Qualifier ? `:${(c.args[0].input as { Qualifier?: string }).Qualifier}` : ''}`,
      );
    expect(order.filter((n) => !n.startsWith('ListVersions') && n !== 'GetFunctionConfigurationCommand:1')).toEqual([
      'UpdateFunctionConfigurationCommand',
      'GetFunctionConfigurationCommand:$LATEST',
      'GetFunctionConfigurationCommand:$LATEST',
      'UpdateFunctionCodeCommand',
      'PublishVersionCommand',
    ]);
    const digest = store.patches.at(-1)?.configuration?.digest ?? 'missing';
    expect(lambda).toReceiveCommandWith(UpdateFunctionConfigurationCommand, {
      FunctionName: 'shop',
      MemorySize: 512,
      Environment: { Variables: { MODE: 'prod', TOKEN: 'token-value', KEY: 'key-value', [CONFIG_DIGEST_ENV]: digest } },
    });
    expect(lambda).toReceiveCommandWith(PublishVersionCommand, { RevisionId: 'rev-2', CodeSha256: codeSha256FromHex(sha256) });
    expect(next.noop).toBe(false);
    // Same code as live, new configuration: published anyway (a `config` deployment).
    expect(store.patches.at(-1)).toMatchObject({
      toVersion: '2',
      configuration: { pinned: { environment: { TOKEN: { parameter: '/shop/token', version: 3 }, KEY: { secret: 'shop/key', versionId: 'kv-9' } } } },
    });
    expect(JSON.stringify(store.patches) + store.messages.join('\n')).not.toMatch(/token-value|key-value/);
    expect(store.messages.at(-1)).toMatch(/KEY added to secret shop\/key \(version kv-9\)/);
  });

  it('refuses an environment over 4 KB naming the largest keys, never their values, before changing anything', async () => {
    // Prepare
    const { deps: d } = deps();
    d.secrets.resolveSecret = async () => ({ value: 'x'.repeat(5000), versionId: 'kv-1' });
    lambda.on(ListVersionsByFunctionCommand).resolves({ Versions: [{ Version: '1', CodeSha256: 'old' }] });
    // Act
    const error = await stage(d, state).catch((e: Error) => e);
    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/over Lambda's limit of 4096 bytes.*KEY \(5003 bytes\)/);
    expect((error as Error).message).not.toContain('xxxx');
    expect(lambda).not.toReceiveCommand(UpdateFunctionConfigurationCommand);
  });
});
