/**
 * @module The dashboard's outbox page: per publishing module, the backlog and its oldest
 * row's age, and each dead row with a form that puts it back in line (for an administrator
 * logged in to the dashboard; anyone else is sent to the login page first).
 */
import { html } from 'hono/html';
import { dashboardBase, type Html } from './layout.js';
import type { OutboxStatus } from './outbox-status.js';

const age = (seconds: number): string => (seconds < 1 ? '—' : seconds < 120 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} min`);

const replayForm = (schema: string, id: string): Html => html`<form class="inline" method="post" action="${dashboardBase}/outbox/replay">
  <input type="hidden" name="schema" value="${schema}">
  <input type="hidden" name="id" value="${id}">
  <button type="submit">Replay</button>
</form>`;

const deadTable = (outboxes: readonly OutboxStatus[]): Html => {
  const letters = outboxes.flatMap((outbox) => outbox.dead.map((letter) => ({ module: outbox.module, letter })));
  if (letters.length === 0) return html`<p id="dead-letters" class="muted">No dead rows: every event reached its subscribers or is still being tried.</p>`;
  return html`<table id="dead-letters">
    <tr><th>Module</th><th>Subscriber</th><th>Event</th><th>Attempts</th><th>Last error</th><th></th></tr>
    ${letters.map(
      ({ module, letter }) => html`<tr>
        <td>${module}</td>
        <td>${letter.subscriber}</td>
        <td><code>${letter.eventType}</code><br><code class="muted">${letter.eventId}</code></td>
        <td>${letter.attempts}</td>
        <td><code>${letter.lastError ?? ''}</code></td>
        <td>${replayForm(letter.schema, letter.id)}</td>
      </tr>`,
    )}
  </table>`;
};

/** The outbox page's body; `notice` says what the last replay did. */
export const outboxBody = (outboxes: readonly OutboxStatus[], notice?: string): Html => html`
  ${notice === undefined ? '' : html`<p class="ok" id="notice">${notice}</p>`}
  <table id="outboxes">
    <tr><th>Module</th><th>Pending</th><th>Oldest pending</th><th>Dead</th></tr>
    ${outboxes.map(
      (outbox) => html`<tr data-module="${outbox.module}">
        <td><strong>${outbox.module}</strong></td>
        <td>${outbox.pending}</td>
        <td>${age(outbox.oldestPendingSeconds)}</td>
        <td class="${outbox.dead.length > 0 ? 'failed' : ''}">${outbox.dead.length}</td>
      </tr>`,
    )}
  </table>
  <h2>Dead rows</h2>
  ${deadTable(outboxes)}`;
