import { lambdaRoot, apiHandler } from '../roots/aws.js';

export const handler = apiHandler(lambdaRoot());
