import { UpdateAliasCommand } from '@aws-sdk/client-lambda';
import { ConcurrentModificationError } from '../../domain/errors.js';
import type { AliasRouter, AliasState } from '../../ports/index.js';
import { LambdaAliasReader, toAliasState } from './lambda-alias-reader.js';
import { errorName, rethrowTransient } from './sdk-errors.js';

export class LambdaAliasRouter extends LambdaAliasReader implements AliasRouter {
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
            AdditionalVersionWeights: routing.additional ? { [routing.additional.version]: routing.additional.weight } : {},
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
}
