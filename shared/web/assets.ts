/**
 * Static assets under /assets: GOV.UK Frontend's compiled CSS, JS, fonts and images, read from the
 * installed package (or IRO_WEB_ASSETS_DIR, where the Lambda bundle copies them), plus the app's own
 * small stylesheet and scripts. Nothing comes from a CDN. Only known files are served (no path is
 * ever joined from the request), with long cache lifetimes: links carry a content hash.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';

const TYPES: Record<string, string> = {
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  json: 'application/json',
  woff: 'font/woff',
  woff2: 'font/woff2',
  svg: 'image/svg+xml',
  png: 'image/png',
  ico: 'image/x-icon',
};

/** The folder holding govuk-frontend.min.css and assets/: IRO_WEB_ASSETS_DIR, else the installed package's dist/govuk. */
export function govukAssetsDir(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.IRO_WEB_ASSETS_DIR) return env.IRO_WEB_ASSETS_DIR;
  try {
    return join(dirname(createRequire(import.meta.url).resolve('govuk-frontend/package.json')), 'dist', 'govuk');
  } catch {
    return null;
  }
}

/**
 * The files of GOV.UK Frontend's folder the app serves, relative to that folder: the compiled CSS and
 * JS, the assets manifest, and every font and image of a type it serves. The Lambda bundle copies
 * exactly these (infra/functions.ts); the app's own CSS and scripts below are built in, not files.
 */
export function govukAssetFiles(dir: string): string[] {
  const files = ['govuk-frontend.min.css', 'govuk-frontend.min.js', 'assets/manifest.json'];
  for (const folder of ['fonts', 'images']) {
    for (const name of readdirSync(join(dir, 'assets', folder)).sort())
      if (TYPES[extensionOf(name)]) files.push(`assets/${folder}/${name}`);
  }
  return files;
}

const extensionOf = (name: string) => name.split('.').pop() ?? '';

/** The URL path under /assets of a file of GOV.UK Frontend's folder: its assets/ folder is served as /assets itself, as GOV.UK's CSS expects. */
const servedAt = (file: string) => `/${file.replace(/^assets\//, '')}`;

/** The app's own CSS: only what GOV.UK Frontend has no class for. */
const APP_CSS = `
.app-timeline{list-style:none;margin:0 0 30px;padding:0 0 0 20px;border-left:4px solid #1d70b8}
.app-timeline__item{position:relative;margin:0 0 15px}
.app-timeline__item::before{content:"";position:absolute;left:-29px;top:6px;width:14px;height:14px;border-radius:50%;background:#1d70b8}
.app-timeline__item--review::before{background:#0b0c0c}
.app-timeline__date{display:block;font-weight:700}
.app-figure{margin:0 0 30px}
.app-figure svg{display:block;width:100%;max-width:800px;height:auto}
.app-inline-form{display:inline}
.app-link-button{background:none;border:0;padding:0;margin:0;font:inherit;color:#1d70b8;text-decoration:underline;text-decoration-thickness:max(1px,.0625rem);text-underline-offset:.1578em;cursor:pointer}
.app-link-button:hover{color:#003078;text-decoration-thickness:max(3px,.1875rem)}
.app-link-button:focus{outline:3px solid transparent;color:#0b0c0c;background-color:#fd0;box-shadow:0 -2px #fd0,0 4px #0b0c0c;text-decoration:none}
.app-user-bar{display:flex;flex-wrap:wrap;gap:5px 20px;justify-content:space-between;padding-top:10px}
.app-user-bar p{margin:0}
.app-evidence dt{font-weight:700}
.app-evidence dd{margin:0 0 10px}
.app-other-grade{border-left:5px solid #f47738;padding-left:10px}
.app-table-wrap{overflow-x:auto}
`;

/** Marks the page as able to run GOV.UK Frontend's JavaScript (an external file: the CSP allows no inline script). */
const INIT_JS = `document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');\n`;

/** Progressive enhancement only: every page works without it. */
const APP_MJS = (govukJs: string) => `import { initAll } from '${govukJs}';\ninitAll();\n`;

/** The app's own icon: GOV.UK's crown is for GOV.UK services, not a council's. */
const ICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="4" fill="#1d70b8"/><path d="M8 23V9h3v14zm6 0 5-14h3l5 14h-3l-1-3h-5l-1 3zm5-6h3l-1.5-4.5z" fill="#fff"/></svg>';

interface Asset {
  body: Uint8Array | string;
  type: string;
}

const hashOf = (body: Uint8Array | string) => createHash('sha256').update(body).digest('hex').slice(0, 12);

/** The asset URLs pages link to, each with its content hash (so a long cache never serves a stale file). */
export interface AssetLinks {
  govukCss: string;
  appCss: string;
  initJs: string;
  appJs: string;
  favicon: string;
}

/** Loads the asset set once and builds the /assets routes and the links pages use. */
export function webAssets(given?: string | null): { routes: Hono; links: AssetLinks; available: boolean } {
  const dir = given === undefined ? govukAssetsDir() : given;
  const files = new Map<string, Asset>();
  const put = (path: string, body: Uint8Array | string, ext: string) => files.set(path, { body, type: TYPES[ext]! });
  const available = dir !== null && existsSync(join(dir, 'govuk-frontend.min.css'));
  if (available) {
    for (const file of govukAssetFiles(dir)) put(servedAt(file), readFileSync(join(dir, file)), extensionOf(file));
  } else {
    console.error(
      `iro-audit web: GOV.UK Frontend's assets were not found (${dir ?? 'govuk-frontend is not installed'}): set IRO_WEB_ASSETS_DIR to the folder holding govuk-frontend.min.css; pages are served unstyled`,
    );
  }
  const versioned = (path: string) => `/assets${path}?v=${files.has(path) ? hashOf(files.get(path)!.body) : '0'}`;
  const govukJs = versioned('/govuk-frontend.min.js');
  put('/app/app.css', APP_CSS, 'css');
  put('/app/init.js', INIT_JS, 'js');
  put('/app/app.mjs', APP_MJS(govukJs), 'mjs');
  put('/app/icon.svg', ICON_SVG, 'svg');

  const routes = new Hono();
  routes.get('/*', (c) => {
    const asset = files.get(c.req.path.replace(/^\/assets/, ''));
    if (!asset) return c.text('Not found', 404);
    c.header('Content-Type', asset.type);
    c.header('Cache-Control', 'public, max-age=31536000, immutable');
    c.header('X-Content-Type-Options', 'nosniff');
    return c.body(typeof asset.body === 'string' ? asset.body : new Uint8Array(asset.body));
  });
  return {
    routes,
    available,
    links: {
      govukCss: versioned('/govuk-frontend.min.css'),
      appCss: versioned('/app/app.css'),
      initJs: versioned('/app/init.js'),
      appJs: versioned('/app/app.mjs'),
      favicon: versioned('/app/icon.svg'),
    },
  };
}
