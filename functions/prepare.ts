import { lambdaRoot, prepareHandler } from '../roots/aws.js';

export const handler = prepareHandler(lambdaRoot());
