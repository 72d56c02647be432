import { lambdaRoot, runHookHandler } from '../roots/aws.js';

export const handler = runHookHandler(lambdaRoot());
