// The `hello-canary` example function: deployed with a 50% canary step and an alarm watching it.
export const handler = async () => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ message: 'hello-canary, release r1' }),
});
