import { GetParameterCommand, type GetParameterCommandOutput, SSMClient } from '@aws-sdk/client-ssm';
import { MissingResourceError } from '../../domain/errors.js';
import type { ParameterResolver, ResolvedParameter } from '../../ports/index.js';
import { errorName, rethrowTransient } from './sdk-errors.js';

export interface SsmParametersOptions {
  client?: SSMClient;
}

/**
 * Resolves `{ "parameter": name }` references with GetParameter (WithDecryption, so a
 * SecureString comes back in clear). Error messages name the parameter, never its value.
 */
export class SsmParameters implements ParameterResolver {
  private readonly client: SSMClient;

  constructor(options: SsmParametersOptions = {}) {
    this.client = options.client ?? new SSMClient({});
  }

  async resolveParameter(name: string): Promise<ResolvedParameter> {
    let answer: GetParameterCommandOutput;
    try {
      answer = await this.client.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    } catch (error) {
      const code = errorName(error);
      if (code === 'ParameterNotFound' || code === 'ParameterVersionNotFound') {
        throw new MissingResourceError(
          `SSM parameter ${name} does not exist (in this account and region); create it (aws ssm put-parameter --name ${name} --type SecureString --value ...) or remove it from the target's configuration, then deploy again`,
          { cause: error },
        );
      }
      if (code === 'AccessDeniedException' || code === 'InvalidKeyId') {
        throw new MissingResourceError(
          `slipway may not read SSM parameter ${name} (${code}); allow its stage role ssm:GetParameter on it (and kms:Decrypt on its key), then deploy again`,
          { cause: error },
        );
      }
      rethrowTransient(error, `reading SSM parameter ${name}`);
    }
    const value = answer.Parameter?.Value;
    const version = answer.Parameter?.Version;
    if (value === undefined || version === undefined) {
      throw new MissingResourceError(`SSM parameter ${name} came back without a value or version; check it with aws ssm get-parameter --name ${name}`);
    }
    return { value, version };
  }
}
