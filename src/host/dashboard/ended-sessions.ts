/**
 * @module Dashboard sessions ended by logging out: each one's access token, refused by the
 * dashboard from then until it would have expired anyway.
 *
 * An access token is a stateless JWT, so clearing the browser's cookie alone would leave any
 * copy of it (a stolen cookie, a proxy's log) good for the rest of its life. The ended tokens
 * are kept in the gateway's limit store: Redis when there is one, so every replica refuses
 * them, else this process's memory. Keys are the tokens' SHA-256, never the tokens.
 */
import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import type { LimiterStore } from '../../gateway/limiter-store.js';

export interface EndedSessions {
  /** Refuses `token` (a valid access token) from now until it expires. */
  end(token: string): Promise<void>;
  /** Whether the session of `token` was ended. */
  isEnded(token: string): Promise<boolean>;
}

const keyOf = (token: string): string => createHash('sha256').update(token).digest('base64url');

export const endedSessions = (store: LimiterStore): EndedSessions => {
  // A block (points + 1 consumed, for as long as asked) is the mark; the window itself is unused.
  const marks = store({ name: 'ended-sessions', points: 1, durationSeconds: 1 });
  return {
    async end(token) {
      const expiresAt = decodeJwt(token).exp;
      if (expiresAt === undefined) return;
      const secondsLeft = Math.ceil(expiresAt - Date.now() / 1000);
      if (secondsLeft > 0) await marks.block(keyOf(token), secondsLeft);
    },
    async isEnded(token) {
      const mark = await marks.get(keyOf(token));
      return mark !== null && mark.consumedPoints > 1;
    },
  };
};
