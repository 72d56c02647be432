import { DeleteFunctionCommand, ListAliasesCommand } from '@aws-sdk/client-lambda';
import type { VersionPruner } from '../../ports/index.js';
import { LambdaVersionCatalog } from './lambda-version-catalog.js';
import { errorName, rethrowTransient } from './sdk-errors.js';

export class LambdaVersionPruner extends LambdaVersionCatalog implements VersionPruner {
  async aliasedVersions(fn: string): Promise<Set<string>> {
    const used = new Set<string>();
    let marker: string | undefined;
    do {
      const out = await this.call(`listing aliases of ${fn}`, () => this.client.send(new ListAliasesCommand({ FunctionName: fn, Marker: marker })));
      for (const a of out.Aliases ?? []) {
        if (a.FunctionVersion) used.add(a.FunctionVersion);
        for (const v of Object.keys(a.RoutingConfig?.AdditionalVersionWeights ?? {})) used.add(v);
      }
      marker = out.NextMarker;
    } while (marker);
    return used;
  }

  /** Deletes one published version (DeleteFunction with a Qualifier), never the function. */
  async deleteVersion(fn: string, version: string): Promise<void> {
    try {
      await this.client.send(new DeleteFunctionCommand({ FunctionName: fn, Qualifier: version }));
    } catch (error) {
      // Gone already, or an alias started pointing at it since we listed: keep it.
      if (errorName(error) === 'ResourceNotFoundException' || errorName(error) === 'ResourceConflictException') return;
      rethrowTransient(error, `deleting ${fn}:${version}`);
    }
  }
}
