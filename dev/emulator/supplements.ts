/**
 * The operations moto_server does not implement that slipway's adapters call, answered by the
 * emulator front (./front.ts) in dev mode and in the tests. Each supplement speaks the service's
 * real wire protocol, so the AWS adapters run unchanged; docs/dev.md lists what each one models and
 * what it does not.
 */
import { CloudFrontContinuousDeployment } from './cloudfront-continuous-deployment.js';
import type { Supplement } from './front.js';
import { lambdaInvokeAnswers } from './lambda-invoke-answers.js';
import { ProvisionedConcurrencySupplement } from './lambda-provisioned-concurrency.js';

export const SUPPLEMENTS: readonly Supplement[] = [lambdaInvokeAnswers(), new ProvisionedConcurrencySupplement(), new CloudFrontContinuousDeployment()];
