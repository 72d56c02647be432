import { lambdaRoot, stageSiteChunkHandler } from '../roots/aws.js';

export const handler = stageSiteChunkHandler(lambdaRoot());
