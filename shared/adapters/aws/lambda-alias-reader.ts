import { GetAliasCommand, type AliasConfiguration } from '@aws-sdk/client-lambda';
import type { AliasReader, AliasState } from '../../ports/index.js';
import { LambdaAdapter } from './lambda-adapter.js';

export function toAliasState(alias: AliasConfiguration): AliasState {
  const weights = Object.entries(alias.RoutingConfig?.AdditionalVersionWeights ?? {});
  const first = weights[0];
  return {
    version: alias.FunctionVersion ?? '$LATEST',
    revisionId: alias.RevisionId ?? '',
    ...(first ? { additional: { version: first[0], weight: first[1] } } : {}),
  };
}

export class LambdaAliasReader extends LambdaAdapter implements AliasReader {
  async getAlias(fn: string, alias: string): Promise<AliasState> {
    const out = await this.call(`reading alias ${fn}:${alias}`, () => this.client.send(new GetAliasCommand({ FunctionName: fn, Name: alias })));
    return toAliasState(out);
  }
}
