import { lambdaRoot, notifyHandler } from '../roots/aws.js';

export const handler = notifyHandler(lambdaRoot());
