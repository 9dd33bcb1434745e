/** `npm run docs:rules`: writes docs/ssda903-rules.md from the rules (see shared/ssda903/rules-document.ts). */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { rulesDocument } from '#ssda903/rules-document';

const path = fileURLToPath(new URL('../../docs/ssda903-rules.md', import.meta.url));
await writeFile(path, rulesDocument());
console.log(`written ${path}`);
