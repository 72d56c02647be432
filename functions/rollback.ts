import { lambdaRoot, rollbackHandler } from '../roots/aws.js';

export const handler = rollbackHandler(lambdaRoot());
