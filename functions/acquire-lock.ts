import { lambdaRoot, acquireLockHandler } from '../roots/aws.js';

export const handler = acquireLockHandler(lambdaRoot());
