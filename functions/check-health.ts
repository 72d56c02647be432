import { lambdaRoot, checkHealthHandler } from '../roots/aws.js';

export const handler = checkHealthHandler(lambdaRoot());
