// One packaged function, run the way the Lambda Node.js runtime runs it: its bundle imported once
// (the cold start builds the handler from the environment), then one event at a time. Errors go
// back with their name, which is what Step Functions matches Retry/Catch on.
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { randomUUID } from 'node:crypto';

const { entry, functionName, timeoutSeconds } = workerData;
const loading = import(pathToFileURL(entry).href);

function context() {
  const deadline = Date.now() + timeoutSeconds * 1000;
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'shipped-test',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done() {},
    fail() {},
    succeed() {},
  };
}

parentPort.on('message', async ({ id, event }) => {
  try {
    const { handler } = await loading;
    const result = await handler(event, context());
    // Lambda serializes the answer as JSON: so does this, and the parent checks its size.
    parentPort.postMessage({ id, ok: true, json: result === undefined ? 'null' : JSON.stringify(result) });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    parentPort.postMessage({ id, ok: false, error: { name: e.name, message: e.message, stack: e.stack } });
  }
});
