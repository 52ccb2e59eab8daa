/**
 * @module The API reference at /docs: Swagger UI reading /api/v1/openapi.json, every file of
 * it served here from the installed swagger-ui-dist package, so the page works offline and
 * asks no CDN for anything.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';

/** The files of swagger-ui-dist the page loads, by the name it asks for them under /docs/. */
const assets: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const packageDir = (): string => dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

const page = (title: string): string => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${escapeHtml(title)} reference</title>
    <link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
    <link rel="stylesheet" href="/docs/swagger-ui.css">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/swagger-ui-bundle.js"></script>
    <script src="/docs/init.js"></script>
  </body>
</html>
`;

/**
 * Swagger UI's own options: validatorUrl null keeps it from sending the document to
 * validator.swagger.io, and try-it-out is on, since the page exists to try the API.
 */
const init = (documentUrl: string): string => `window.ui = SwaggerUIBundle({
  url: ${JSON.stringify(documentUrl)},
  dom_id: '#swagger-ui',
  deepLinking: true,
  tryItOutEnabled: true,
  persistAuthorization: true,
  displayRequestDuration: true,
  validatorUrl: null,
});
`;

export interface DocsOptions {
  /** Where the OpenAPI document is served, e.g. /api/v1/openapi.json. */
  readonly documentUrl: string;
  /** The API's name, as its document's title says it: the page is titled "<title> reference". */
  readonly title: string;
}

/**
 * GET /docs and the files it loads.
 *
 * @example
 * app.route('/', docsRoutes({ documentUrl: '/api/v1/openapi.json', title: 'Seam shop API' }));
 */
export const docsRoutes = ({ documentUrl, title }: DocsOptions): Hono => {
  const html = page(title);
  const routes = new Hono();
  // Read on first use and kept: the installed package does not change while the process runs.
  const loaded = new Map<string, Promise<Buffer>>();
  let dir: string | undefined;

  routes.get('/docs', (c) => c.html(html));
  routes.get('/docs/init.js', (c) => c.body(init(documentUrl), 200, { 'content-type': 'text/javascript; charset=utf-8' }));
  routes.get('/docs/:file{[a-z0-9.-]+}', async (c) => {
    const file = c.req.param('file');
    const type = assets[file];
    if (type === undefined) return c.notFound();
    dir ??= packageDir();
    let content = loaded.get(file);
    if (content === undefined) {
      content = readFile(join(dir, file));
      loaded.set(file, content);
      content.catch(() => loaded.delete(file));
    }
    return c.body(new Uint8Array(await content), 200, { 'content-type': type, 'cache-control': 'public, max-age=3600' });
  });
  return routes;
};
