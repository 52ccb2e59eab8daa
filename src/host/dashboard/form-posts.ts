/**
 * @module What every form the dashboard accepts (login, logout, replay) must be: small, and
 * posted by a page of this site. A session cookie rides along with any request the browser
 * sends here, so without the origin check another site's page could post a replay, or log
 * its visitor in, in an administrator's name; SameSite=Strict already keeps the cookie off
 * such a post, and this refuses the post itself, whatever the browser does with cookies.
 */
import type { MiddlewareHandler } from 'hono';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { limitBody } from '../../gateway/body-limit.js';
import { PayloadTooLarge } from '../../gateway/protocol-errors.js';
import { Forbidden } from '../../kernel/errors.js';

/** A dashboard form is a few hundred bytes; anything much larger is not one. */
const formLimitBytes = 16 * 1024;

/**
 * Refuses a form another site posts: the browser's Sec-Fetch-Site must say same-origin, or
 * its Origin must be ours (hono/csrf; a post with neither header is refused too). A request
 * with an Authorization header is not checked: no other site can make a browser send one,
 * and such a request is never judged by the cookie (see access.ts).
 */
export const sameOriginForms = (): MiddlewareHandler => {
  const check = csrf();
  return async (c, next) => {
    if (c.req.header('authorization') !== undefined) return next();
    try {
      await check(c, async () => undefined);
    } catch (error) {
      if (error instanceof HTTPException && error.status === 403) throw Forbidden.create('A form posted from another site (or without Origin and Sec-Fetch-Site headers) is refused');
      throw error;
    }
    await next();
  };
};

/** The checks before a dashboard form's handler: its size, then its origin. */
export const formPost = (): readonly [MiddlewareHandler, MiddlewareHandler] => [
  limitBody({
    maxSize: formLimitBytes,
    onError: () => {
      throw PayloadTooLarge.create(`A dashboard form is at most ${formLimitBytes} bytes`);
    },
  }),
  sameOriginForms(),
];
