import { lambdaRoot, promoteDownstreamHandler } from '../roots/aws.js';

export const handler = promoteDownstreamHandler(lambdaRoot());
