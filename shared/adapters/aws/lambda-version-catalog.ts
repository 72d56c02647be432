import { ListVersionsByFunctionCommand } from '@aws-sdk/client-lambda';
import type { PublishedVersion, VersionCatalog } from '../../ports/index.js';
import { LambdaAdapter } from './lambda-adapter.js';

export class LambdaVersionCatalog extends LambdaAdapter implements VersionCatalog {
  async listVersions(fn: string): Promise<PublishedVersion[]> {
    const versions: PublishedVersion[] = [];
    let marker: string | undefined;
    do {
      const out = await this.call(`listing versions of ${fn}`, () => this.client.send(new ListVersionsByFunctionCommand({ FunctionName: fn, Marker: marker })));
      for (const v of out.Versions ?? []) {
        if (!v.Version || v.Version === '$LATEST') continue;
        versions.push({ version: v.Version, codeSha256: v.CodeSha256 ?? '', ...(v.Description ? { description: v.Description } : {}) });
      }
      marker = out.NextMarker;
    } while (marker);
    return versions;
  }
}
