// One version of a target function, run the way the Lambda Node.js runtime runs it, for dev mode's
// synthetic traffic (dev/local-synthetic-invoker.ts): its handler module imported once (the cold
// start), then each event as it comes, concurrently. The worker's process.env is the version's
// environment. An error goes back with its name and message, as Lambda reports an unhandled one.
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

const { file, exportName, functionName, version, arn, timeoutMs } = workerData;
const loading = import(pathToFileURL(file).href);

function context() {
  const deadline = Date.now() + timeoutMs;
  return {
    functionName,
    functionVersion: version,
    invokedFunctionArn: arn,
    memoryLimitInMB: '128',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'slipway-dev',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done() {},
    fail() {},
    succeed() {},
  };
}

parentPort.on('message', async ({ id, event }) => {
  try {
    const handler = (await loading)[exportName];
    if (typeof handler !== 'function') throw new TypeError(`${exportName} is not a function exported by the handler module`);
    const result = await handler(event, context());
    parentPort.postMessage({ id, ok: true, json: result === undefined ? 'null' : JSON.stringify(result) });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    parentPort.postMessage({ id, ok: false, error: { errorType: e.name, errorMessage: e.message } });
  }
});
