// The `hello` example function: what `slipway dev` creates as version 1 behind the `live` alias.
export const handler = async () => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ message: 'hello from release r1' }),
});
