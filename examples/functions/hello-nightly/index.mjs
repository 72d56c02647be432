// The `hello-nightly` example function (its target has a deploy window): what `slipway dev` creates as version 1 behind the `live` alias.
export const handler = async () => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ message: 'hello from release r1' }),
});
