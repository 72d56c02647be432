import { lambdaRoot, finalizeHandler } from '../roots/aws.js';

export const handler = finalizeHandler(lambdaRoot());
