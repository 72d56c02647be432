/** The `slipway` command. `npm run slipway -- …`, `npx slipway …` (through bin.mjs) and `npm start` land here. */
import { fileURLToPath } from 'node:url';
import { run } from './program.js';

const exitCode = await run(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  projectRoot: fileURLToPath(new URL('..', import.meta.url)),
});
process.exitCode = exitCode;
