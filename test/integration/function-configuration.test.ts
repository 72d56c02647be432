import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAliasedFunction } from '../../dev/provision.js';
import { functionPackage } from '../../dev/zip.js';
import { LambdaVersionPublisher } from '../../shared/adapters/aws/lambda-version-publisher.js';
import { SecretsManagerSecrets } from '../../shared/adapters/aws/secretsmanager-secrets.js';
import { SsmParameters } from '../../shared/adapters/aws/ssm-parameters.js';
import { MissingResourceError } from '../../shared/domain/errors.js';
import { resolveConfiguration } from '../../shared/usecases/workflow/stage.js';
import { uniqueName, useMoto } from '../support/aws-env.js';

describe('Integration: function configuration against moto', () => {
  beforeAll(() => {
    useMoto();
  });

  async function publishWith(fn: string, publisher: LambdaVersionPublisher, settings: Parameters<LambdaVersionPublisher['updateConfiguration']>[1]) {
    await publisher.updateConfiguration(fn, settings);
    const latest = await new LambdaClient({}).send(new GetFunctionConfigurationCommand({ FunctionName: fn }));
    return publisher.publishVersion(fn, { codeSha256: latest.CodeSha256 ?? '', revisionId: latest.RevisionId ?? '' }, `test ${fn}`);
  }

  it('publishes the resolved values with the version, which keeps them after the parameter and secret move on', async () => {
    // Prepare
    const fn = uniqueName('cfg-fn').toLowerCase().slice(0, 40);
    const parameter = `/${uniqueName('cfg')}/password`;
    const secret = uniqueName('cfg-secret');
    await createAliasedFunction(fn, await functionPackage('v1'));
    await new SSMClient({}).send(new PutParameterCommand({ Name: parameter, Value: 'pw-one', Type: 'SecureString' }));
    const created = await new SecretsManagerClient({}).send(new CreateSecretCommand({ Name: secret, SecretString: 'key-one' }));
    const sources = { parameters: new SsmParameters(), secrets: new SecretsManagerSecrets() };
    const config = { environment: { MODE: 'prod', PASSWORD: { parameter }, KEY: { secret } }, timeout: 7 };
    const publisher = new LambdaVersionPublisher();

    // Act
    const resolved = await resolveConfiguration(sources, fn, config);
    const version = await publishWith(fn, publisher, resolved.settings);
    await new SSMClient({}).send(new PutParameterCommand({ Name: parameter, Value: 'pw-two', Type: 'SecureString', Overwrite: true }));
    await new SecretsManagerClient({}).send(new PutSecretValueCommand({ SecretId: secret, SecretString: 'key-two' }));
    const later = await resolveConfiguration(sources, fn, config);

    // Assess
    const published = await new LambdaClient({}).send(new GetFunctionConfigurationCommand({ FunctionName: fn, Qualifier: version }));
    expect(published.Environment?.Variables).toEqual({ MODE: 'prod', PASSWORD: 'pw-one', KEY: 'key-one', SLIPWAY_CONFIG_DIGEST: resolved.digest });
    expect(published.Timeout).toBe(7);
    expect(resolved.pinned.environment).toEqual({
      MODE: { value: 'prod' },
      PASSWORD: { parameter, version: 1 },
      KEY: { secret, versionId: created.VersionId },
    });
    expect((await publisher.versionConfiguration(fn, version)).configDigest).toBe(resolved.digest);
    expect(later.pinned.environment.PASSWORD).toEqual({ parameter, version: 2 });
    expect(later.digest).not.toBe(resolved.digest);
    expect(later.settings.environment).toMatchObject({ PASSWORD: 'pw-two', KEY: 'key-two' });
  });

  it('names a missing parameter or secret as a permanent error', async () => {
    // Act & Assess
    await expect(new SsmParameters().resolveParameter(`/${uniqueName('absent')}/x`)).rejects.toThrow(MissingResourceError);
    await expect(new SecretsManagerSecrets().resolveSecret(uniqueName('absent'))).rejects.toThrow(MissingResourceError);
  });
});
