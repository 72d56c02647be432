import { lambdaRoot, stageHandler } from '../roots/aws.js';

export const handler = stageHandler(lambdaRoot());
