/**
 * An app's zip in the artifact bucket (docs/apps.md): judged whole, by component, before anything
 * is written (S3AppInspector, Prepare), and each function component's folder repacked as a zip of
 * its own for Lambda (S3ComponentPackager, Stage). A function's bundle takes the half it uses, so
 * it holds only that half's clients; this is both, for callers that want one object.
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { ArtifactRef } from '../../domain/deployment.js';
import type { AppArtifacts, AppInspection, AppLayout, ArtifactHead } from '../../ports/index.js';
import { S3AppInspector } from './s3-app-inspector.js';
import { S3ComponentPackager } from './s3-component-packager.js';

export class S3AppArtifacts implements AppArtifacts {
  readonly #inspector: S3AppInspector;
  readonly #packager: S3ComponentPackager;

  constructor(options: { client?: S3Client } = {}) {
    const client = options.client ?? new S3Client({ forcePathStyle: true });
    this.#inspector = new S3AppInspector({ client });
    this.#packager = new S3ComponentPackager({ client });
  }

  inspectApp(ref: ArtifactRef, layout: AppLayout, head?: ArtifactHead): Promise<AppInspection> {
    return this.#inspector.inspectApp(ref, layout, head);
  }

  packageComponent(ref: ArtifactRef, folder: string, dest: { bucket: string; key: string }): Promise<{ artifact: ArtifactRef; sha256: string; size: number }> {
    return this.#packager.packageComponent(ref, folder, dest);
  }
}
