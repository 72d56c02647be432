import { lambdaRoot, intakeHandler } from '../roots/aws.js';

export const handler = intakeHandler(lambdaRoot());
