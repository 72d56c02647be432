// The `api-staging` example function: one environment of the api-staging → api-prod pipeline.
// It answers with the settings its version was published with (docs/environments.md).
export const handler = async () => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ message: 'api, release r1', stage: process.env.STAGE ?? null, apiUrl: process.env.API_URL ?? null }),
});
