/**
 * @module Dashboard sessions ended by logging out: each one's access token, refused by the
 * dashboard from then until it would have expired anyway.
 *
 * An access token is a stateless JWT, so clearing the browser's cookie alone would leave any
 * copy of it (a stolen cookie, a proxy's log) good for the rest of its life. The ended tokens
 * are kept in the gateway's limit store: Redis when there is one, so every replica refuses
 * them, else this process's memory; the replica that took the logout keeps its own mark too.
 * Keys are the tokens' SHA-256, never the tokens.
 */
import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import { memoryStore, type LimiterStore } from '../../gateway/limiter-store.js';

export interface EndedSessions {
  /** Refuses `token` (a valid access token) from now until it expires. */
  end(token: string): Promise<void>;
  /** Whether the session of `token` was ended. */
  isEnded(token: string): Promise<boolean>;
}

const keyOf = (token: string): string => createHash('sha256').update(token).digest('base64url');

const spec = { name: 'ended-sessions', points: 1, durationSeconds: 1 };

export const endedSessions = (store: LimiterStore): EndedSessions => {
  // A block (points + 1 consumed, for as long as asked) is the mark; the window itself is unused.
  const shared = store(spec);
  // Marked here too: a logout while Redis is away lands in the store's stand-in memory only,
  // which it stops reading once Redis answers again, and the token must stay refused.
  const here = memoryStore()(spec);
  const marked = async (marks: typeof shared, key: string): Promise<boolean> => {
    const mark = await marks.get(key);
    return mark !== null && mark.consumedPoints > 1;
  };
  return {
    async end(token) {
      const expiresAt = decodeJwt(token).exp;
      if (expiresAt === undefined) return;
      const secondsLeft = Math.ceil(expiresAt - Date.now() / 1000);
      if (secondsLeft <= 0) return;
      const key = keyOf(token);
      await Promise.all([here.block(key, secondsLeft), shared.block(key, secondsLeft)]);
    },
    async isEnded(token) {
      const key = keyOf(token);
      return (await marked(here, key)) || marked(shared, key);
    },
  };
};
