import { lambdaRoot, invalidateCdnHandler } from '../roots/aws.js';

export const handler = invalidateCdnHandler(lambdaRoot());
