/**
 * @module The frame of every dashboard page: title, navigation (with the API reference and
 * metrics beside the dashboard's own pages, and who is logged in) and one small style sheet;
 * no script, nothing fetched from elsewhere.
 */
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** Where the dashboard is served. */
export const dashboardBase = '/_seam';

export interface PageFrame {
  readonly application: string;
  readonly title: string;
  /** Whether /metrics is served on this port, so the link leads somewhere. */
  readonly metricsHere: boolean;
  /** The email of whoever is logged in, who may log out; undefined offers the login page. */
  readonly viewer?: string | undefined;
}

const style = `
  body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f6f7f9; }
  header { background: #1d2330; color: #fff; padding: 10px 24px; display: flex; gap: 24px; align-items: baseline; }
  header a { color: #c9d6ff; text-decoration: none; }
  header a:hover { text-decoration: underline; }
  header strong { font-size: 16px; }
  main { padding: 16px 24px; max-width: 1200px; }
  table { border-collapse: collapse; width: 100%; background: #fff; margin-bottom: 20px; }
  th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #e3e6eb; vertical-align: top; }
  th { background: #eef0f4; font-weight: 600; }
  code { font-size: 12px; }
  .muted { color: #6b7280; }
  .failed { color: #b42318; font-weight: 600; }
  .ok { color: #067647; }
  .bar-track { position: relative; height: 14px; background: #eef0f4; min-width: 320px; overflow: hidden; }
  .bar { position: absolute; top: 2px; height: 10px; background: #4f6bed; border-radius: 2px; }
  .bar.failed { background: #d92d20; }
  form.inline { display: inline; }
  input[type=search] { width: 360px; padding: 4px; }
  header .session { margin-left: auto; }
  header button { background: none; border: 0; color: #c9d6ff; font: inherit; cursor: pointer; padding: 0; }
  form.stacked { display: grid; gap: 10px; max-width: 320px; }
  form.stacked label { display: grid; gap: 2px; }
  form.stacked input { padding: 5px; }
`;

/** A whole page: `body` inside the dashboard's frame. */
export const page = (frame: PageFrame, body: Html): Html => html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${frame.title} · ${frame.application} · Seam</title>
    <link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
    <style>${raw(style)}</style>
  </head>
  <body>
    <header>
      <strong>${frame.application}</strong>
      <a href="${dashboardBase}">Architecture</a>
      <a href="${dashboardBase}/instances">Instances</a>
      <a href="${dashboardBase}/outbox">Outbox</a>
      <a href="${dashboardBase}/traces">Traces</a>
      <a href="/docs">API reference</a>
      ${frame.metricsHere ? html`<a href="/metrics">Metrics</a>` : html`<span class="muted" title="served on the operator port, or not at all">Metrics elsewhere</span>`}
      ${frame.viewer === undefined
        ? html`<a class="session" href="${dashboardBase}/login">Log in</a>`
        : html`<form class="inline session" method="post" action="${dashboardBase}/logout"><span class="muted">${frame.viewer}</span> <button type="submit">Log out</button></form>`}
    </header>
    <main>
      <h1>${frame.title}</h1>
      ${body}
    </main>
  </body>
</html>`;
