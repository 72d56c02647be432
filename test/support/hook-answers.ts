/**
 * What moto's Lambda stub answers the next invocations with (moto runs no Lambda code): a hook's
 * result in the workflow tests. The answers are used one per Invoke, in order.
 */
export async function nextHookAnswers(results: string[]): Promise<void> {
  const res = await fetch(`${process.env.AWS_ENDPOINT_URL}/moto-api/static/lambda-simple/response`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ results, region: 'us-east-1' }),
  });
  if (res.status !== 201) throw new Error(`moto refused the hook answers: ${res.status} ${await res.text()}`);
}
