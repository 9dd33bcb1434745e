/**
 * /docs: Swagger UI over /openapi.json, served from the installed swagger-ui-dist package (or
 * IRO_DOCS_ASSETS_DIR, where the Lambda bundle copies it) — never from a CDN: the page loads no
 * third-party script, and works on a closed network.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';

/** The files of swagger-ui-dist the page needs: the Lambda bundle copies exactly these. */
export const DOCS_ASSET_FILES = ['swagger-ui.css', 'swagger-ui-bundle.js'] as const;

/** The folder holding swagger-ui-dist's files: IRO_DOCS_ASSETS_DIR, else the installed package. */
export function docsAssetsDir(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.IRO_DOCS_ASSETS_DIR) return env.IRO_DOCS_ASSETS_DIR;
  try {
    return dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  } catch {
    return null;
  }
}

// The start-up script is a file too, so the page needs no inline script.
const INIT_JS = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, persistAuthorization: false });
});
`;

const PAGE = `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>iro-audit API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<main id="swagger-ui"><p>The interactive API description needs JavaScript; the document itself is at <a href="/openapi.json">/openapi.json</a>.</p></main>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`;

const CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** The /docs routes: the page, its two package files and the start-up script. */
export function docsRoutes(dir: string | null = docsAssetsDir()): Hono {
  const files = new Map<string, { body: Uint8Array; type: string }>();
  for (const name of DOCS_ASSET_FILES) {
    const path = dir ? join(dir, name) : null;
    if (path && existsSync(path))
      files.set(name, {
        body: new Uint8Array(readFileSync(path)),
        type: name.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8',
      });
  }
  if (files.size < DOCS_ASSET_FILES.length)
    console.error(`the API page /docs has no Swagger UI files in ${dir ?? '(no folder)'}: set IRO_DOCS_ASSETS_DIR`);
  files.set('init.js', { body: new TextEncoder().encode(INIT_JS), type: 'text/javascript; charset=utf-8' });
  const app = new Hono();
  app.get('/', (c) => {
    c.header('Content-Security-Policy', CSP);
    return c.html(PAGE);
  });
  app.get('/:file', (c) => {
    const file = files.get(c.req.param('file'));
    if (!file) return c.notFound();
    return c.body(file.body as Uint8Array<ArrayBuffer>, 200, {
      'content-type': file.type,
      'cache-control': 'public, max-age=86400',
    });
  });
  return app;
}
