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
 * A function package built by the rules Stage repacks an app's function folder by
 * (shared/domain/reproducible-zip.ts: entries streamed, fixed local timestamp, mode 644, no
 * extended timestamp), so a version seeded from these files has the CodeSha256 a release of the
 * same files repacks to, and is found unchanged.
 */
export async function reproducibleZip(files: Record<string, Uint8Array>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const path of Object.keys(files).sort(compareZipPaths)) {
    const content = files[path]!;
    zip.addReadStreamLazy(path, { ...reproducibleEntryOptions(false), size: content.length }, (give) => give(null, Readable.from([Buffer.from(content)])));
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
