import { LAMBDA_ANSWERS_PATH } from '../../dev/emulator/lambda-invoke-answers.js';

/**
 * What the next invocations of one function answer (moto runs no Lambda code): a hook's result in
 * the workflow tests. The emulator front keeps one queue per function (so test files running at
 * once never take each other's), used one per Invoke, in order.
 */
export async function nextHookAnswers(functionName: string, results: string[]): Promise<void> {
  const res = await fetch(`${process.env.AWS_ENDPOINT_URL}${LAMBDA_ANSWERS_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ functionName, results }),
  });
  if (res.status !== 201) throw new Error(`the emulator refused the hook answers: ${res.status} ${await res.text()}`);
}
