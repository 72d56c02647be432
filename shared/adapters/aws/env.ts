/** Reads a required environment variable; a missing one is a deployment mistake, said plainly. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set; it is set by serverless.yml (or by \`slipway dev\`)`);
  return value;
}
