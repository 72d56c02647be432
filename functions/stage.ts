import { LambdaClient } from '@aws-sdk/client-lambda';
import { DynamoDeploymentStore } from '../shared/adapters/aws/dynamo-deployments.js';
import { LambdaAliasReader } from '../shared/adapters/aws/lambda-alias-reader.js';
import { LambdaVersionPublisher } from '../shared/adapters/aws/lambda-version-publisher.js';
import { lazy } from '../shared/lazy.js';
import { stage } from '../shared/usecases/workflow/stage.js';
import type { WorkflowState } from '../shared/usecases/workflow/state.js';
import { taskHandler } from './task-handler.js';

const deps = lazy(() => {
  const lambda = new LambdaClient({});
  return {
    deployments: new DynamoDeploymentStore(),
    aliases: new LambdaAliasReader({ client: lambda }),
    versions: new LambdaVersionPublisher({ client: lambda }),
  };
});

export const handler = taskHandler('stage', (state: WorkflowState) => stage(deps(), state));
