import { lambdaRoot, shiftTrafficHandler } from '../roots/aws.js';

export const handler = shiftTrafficHandler(lambdaRoot());
