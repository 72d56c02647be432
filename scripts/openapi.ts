/** `npm run openapi`: writes docs/openapi.json, the document `GET /openapi.json` serves. */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { openApiJson } from '../shared/http/openapi.js';

const file = fileURLToPath(new URL('../docs/openapi.json', import.meta.url));
await writeFile(file, openApiJson());
console.log(`wrote ${file}`);
