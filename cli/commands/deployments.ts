import { connect, type CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { formatDeployment, formatHistory, formatJson, styleFor } from '../output.js';

export async function status(ctx: CliContext, id: string, options: { json: boolean }): Promise<number> {
  const { client } = await connect(ctx);
  const deployment = await client.getDeployment(id);
  if (!deployment) throw new CliError(`deployment ${id} not found (ids look like d-0123456789abcdef0123; see \`slipway history <target>\`)`, 2);
  ctx.stdout.write(options.json ? formatJson(deployment) : formatDeployment(deployment, styleFor(ctx.stdout, ctx.env)));
  return 0;
}

export async function history(ctx: CliContext, target: string, options: { json: boolean; limit?: number }): Promise<number> {
  const { client } = await connect(ctx);
  const deployments = await client.listDeployments(target, options.limit);
  ctx.stdout.write(options.json ? formatJson(deployments) : formatHistory(deployments, styleFor(ctx.stdout, ctx.env)));
  return 0;
}
