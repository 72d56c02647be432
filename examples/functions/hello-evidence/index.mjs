// The `hello-evidence` example function: its canary is judged on evidence, and slipway's synthetic
// traffic invokes it during the bake (examples/targets/hello-evidence.json, docs/analysis.md).
// FAIL_RATE is the share of calls that throw: raise it in a release to watch it rolled back.
const FAIL_RATE = 0;

export const handler = async () => {
  if (Math.random() < FAIL_RATE) throw new Error('hello-evidence failed on purpose');
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message: 'hello-evidence, release r1' }),
  };
};
