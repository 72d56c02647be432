import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { MissingResourceError, ValidationError } from '../../domain/errors.js';
import type { ResolvedSecret, SecretResolver } from '../../ports/index.js';
import { errorName, rethrowTransient } from './sdk-errors.js';

export interface SecretsManagerSecretsOptions {
  client?: SecretsManagerClient;
}

/**
 * Resolves `{ "secret": id }` references with GetSecretValue (the AWSCURRENT stage). Error
 * messages name the secret, never its value.
 */
export class SecretsManagerSecrets implements SecretResolver {
  private readonly client: SecretsManagerClient;

  constructor(options: SecretsManagerSecretsOptions = {}) {
    this.client = options.client ?? new SecretsManagerClient({});
  }

  async resolveSecret(id: string): Promise<ResolvedSecret> {
    let answer: { SecretString?: string; SecretBinary?: Uint8Array; VersionId?: string };
    try {
      answer = await this.client.send(new GetSecretValueCommand({ SecretId: id }));
    } catch (error) {
      const code = errorName(error);
      if (code === 'ResourceNotFoundException') {
        throw new MissingResourceError(
          `secret ${id} does not exist in Secrets Manager (in this account and region) or has no current value; create it (aws secretsmanager create-secret --name ${id} --secret-string ...) or remove it from the target's configuration, then deploy again`,
          { cause: error },
        );
      }
      if (code === 'InvalidRequestException') {
        throw new MissingResourceError(
          `secret ${id} cannot be read now (it may be scheduled for deletion); restore it or point the configuration at another secret, then deploy again`,
          {
            cause: error,
          },
        );
      }
      if (code === 'AccessDeniedException' || code === 'DecryptionFailure') {
        throw new MissingResourceError(
          `slipway may not read secret ${id} (${code}); allow its stage role secretsmanager:GetSecretValue on it (and kms:Decrypt on its key), then deploy again`,
          { cause: error },
        );
      }
      rethrowTransient(error, `reading secret ${id}`);
    }
    if (answer.SecretString === undefined) {
      throw new ValidationError(
        `secret ${id} holds binary data, which cannot be an environment variable; store it as a string (SecretString) or base64-encode it into one, then deploy again`,
      );
    }
    if (!answer.VersionId)
      throw new MissingResourceError(`secret ${id} came back without a version id; check it with aws secretsmanager describe-secret --secret-id ${id}`);
    return { value: answer.SecretString, versionId: answer.VersionId };
  }
}
