import { DynamoDeploymentStore } from '../shared/adapters/aws/dynamo-deployments.js';
import { S3ArtifactStore } from '../shared/adapters/aws/s3-artifacts.js';
import { S3SiteStager } from '../shared/adapters/aws/s3-site-stager.js';
import { S3SiteStore } from '../shared/adapters/aws/s3-site-store.js';
import { lazy } from '../shared/lazy.js';
import { stageSiteChunk, type StageChunkInput } from '../shared/usecases/site/stage-chunk.js';
import { taskHandler } from './task-handler.js';

const deps = lazy(() => ({
  deployments: new DynamoDeploymentStore(),
  artifacts: new S3ArtifactStore(),
  stager: new S3SiteStager(),
  sites: new S3SiteStore(),
}));

/** One iteration of the site staging Map. */
export const handler = taskHandler('stageSiteChunk', (input: StageChunkInput) => stageSiteChunk(deps(), input));
