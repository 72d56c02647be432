import { lambdaRoot, reconcileHandler } from '../roots/aws.js';

export const handler = reconcileHandler(lambdaRoot());
