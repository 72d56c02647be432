import { lambdaRoot, finishSiteStagingHandler } from '../roots/aws.js';

export const handler = finishSiteStagingHandler(lambdaRoot());
