/**
 * @module The dashboard's trace pages: the recent traces (root, duration, status), with a
 * search box, and one trace as a waterfall whose bars are placed by inline widths.
 */
import type { AttributeValue } from '@opentelemetry/api';
import { html } from 'hono/html';
import type { RecordedSpan } from '../span-buffer.js';
import type { Unanswered } from './deployment-view.js';
import { dashboardBase, type Html } from './layout.js';
import type { TraceSummary, WaterfallRow } from './trace-search.js';

const milliseconds = (value: number): string => (value < 10 ? `${value.toFixed(2)} ms` : `${Math.round(value)} ms`);

const statusOf = (trace: TraceSummary): Html => {
  const text = trace.statusCode === undefined ? (trace.failed ? 'error' : 'ok') : String(trace.statusCode);
  return html`<span class="${trace.failed || (trace.statusCode ?? 0) >= 500 ? 'failed' : 'ok'}">${text}</span>`;
};

/** Instances of other services that did not answer: the page may lack their part, which it says rather than failing. */
const unansweredNote = (unanswered: readonly Unanswered[]): Html =>
  unanswered.length === 0
    ? html``
    : html`<div id="unanswered" class="muted"><p>Without the spans of ${unanswered.length === 1 ? 'one instance' : `${unanswered.length} instances`} of other services, which did not answer:</p>
  <ul>${unanswered.map((instance) => html`<li data-service="${instance.service}"><strong>${instance.service}</strong> <code>${instance.url}</code>: ${instance.detail}</li>`)}</ul></div>`;

/**
 * The trace list's body: `search` as the box holds it, `kept` how many spans the buffer holds,
 * `unanswered` the instances of other services the search could not ask.
 */
export const tracesBody = (traces: readonly TraceSummary[], search: string, kept: { readonly spans: number; readonly capacity: number }, unanswered: readonly Unanswered[] = []): Html => html`
  <form method="get" action="${dashboardBase}/traces">
    <input type="search" name="q" value="${search}" placeholder="trace id, order id or route" aria-label="Search traces">
    <button type="submit">Search</button>
    <span class="muted">${kept.spans} of the last ${kept.capacity} spans kept in this process</span>
  </form>
  ${unansweredNote(unanswered)}
  ${
    traces.length === 0
      ? html`<p class="muted" id="no-traces">${search === '' ? 'No trace recorded yet: send a request.' : 'No recent trace matches.'}</p>`
      : html`<table id="traces">
    <tr><th>Started</th><th>Root</th><th>Service</th><th>Spans</th><th>Duration</th><th>Status</th></tr>
    ${traces.map(
      (trace) => html`<tr data-trace="${trace.traceId}">
        <td>${new Date(trace.startMs).toISOString().slice(11, 23)}</td>
        <td><a href="${dashboardBase}/traces/${trace.traceId}">${trace.name}</a></td>
        <td>${trace.service}</td>
        <td>${trace.spanCount}</td>
        <td>${milliseconds(trace.durationMs)}</td>
        <td>${statusOf(trace)}</td>
      </tr>`,
    )}
  </table>`
  }`;

const shown = (value: AttributeValue | undefined): string => (Array.isArray(value) ? value.join(', ') : String(value));

const attributesOf = (span: RecordedSpan): string =>
  Object.entries(span.attributes)
    .map(([key, value]) => `${key}=${shown(value)}`)
    .join('\n');

/**
 * One trace's waterfall: a row per span, indented by depth, its bar placed on the trace's time
 * line; `unanswered` names the instances of other services whose spans could not be fetched.
 */
export const traceBody = (traceId: string, rows: readonly WaterfallRow[], unanswered: readonly Unanswered[] = []): Html =>
  rows.length === 0
    ? html`<p class="muted">Trace <code>${traceId}</code> is not among the spans the services still keep.</p>${unansweredNote(unanswered)}`
    : html`
  <p>Trace <code>${traceId}</code>: ${rows.length} spans. Hover a span's name for its attributes.</p>
  ${unansweredNote(unanswered)}
  <table id="waterfall">
    <tr><th>Span</th><th>Service</th><th>Offset</th><th>Duration</th><th style="width: 45%">Time line</th></tr>
    ${rows.map(
      ({ span, depth, offsetMs, offsetPercent, widthPercent }) => html`<tr data-span="${span.name}" data-service="${span.service}">
        <td style="padding-left: ${8 + depth * 16}px" title="${attributesOf(span)}"><span class="${span.failed ? 'failed' : ''}">${span.name}</span></td>
        <td>${span.service}</td>
        <td>${milliseconds(offsetMs)}</td>
        <td>${milliseconds(span.durationMs)}</td>
        <td><div class="bar-track"><div class="bar${span.failed ? ' failed' : ''}" style="left: ${offsetPercent.toFixed(3)}%; width: ${widthPercent.toFixed(3)}%"></div></div></td>
      </tr>`,
    )}
  </table>`;
