import { Readable } from 'node:stream';
import yazl from 'yazl';
import { compareZipPaths, reproducibleEntryOptions } from '../shared/domain/reproducible-zip.js';

/** A fixed timestamp makes the same files give the same bytes (and the same CodeSha256). */
const EPOCH = new Date('2020-01-01T00:00:00Z');

/** Builds a zip in memory from path → content, entries in sorted order (stored when `compress` is false). */
export async function zipFiles(files: Record<string, string | Uint8Array>, options: { compress?: boolean } = {}): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const path of Object.keys(files).sort()) {
    const content = files[path]!;
    zip.addBuffer(Buffer.from(content), path, { mtime: EPOCH, mode: 0o100644, compress: options.compress ?? true });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A minimal Node.js Lambda package whose handler answers with `body`. */
export function functionPackage(body: string): Promise<Buffer> {
  return zipFiles({
    'index.mjs': `export const handler = async () => ({ statusCode: 200, body: ${JSON.stringify(body)} });\n`,
  });
}

/**
 * A function's files zipped as Stage repacks an app's function folder (S3AppArtifacts'
 * packageComponent: the reproducible rules, each entry streamed): the same files give the same
 * bytes, hence the same CodeSha256, so a release carrying an example's code as it is reads as unchanged.
 */
export async function componentPackage(files: Record<string, Uint8Array>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const path of Object.keys(files).sort(compareZipPaths)) {
    const data = Buffer.from(files[path]!);
    zip.addReadStreamLazy(path, { ...reproducibleEntryOptions(false), size: data.length }, (give) => give(null, Readable.from([data])));
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
