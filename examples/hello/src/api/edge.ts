/**
 * @module The public edge: POST /greetings and GET /guestbook, through the two contracts.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { readJson } from '../../../../src/gateway/body.js';
import { defineEdge } from '../../../../src/gateway/public-edge.js';
import { greeterContract } from '../modules/greeter/contract.js';
import { guestbookContract } from '../modules/guestbook/contract.js';

export const helloEdge = defineEdge({
  requires: { greeter: greeterContract, guestbook: guestbookContract },
  routes: ({ greeter, guestbook }) =>
    new Hono()
      .post('/greetings', async (c) => c.json(await greeter.greet(await readJson(c, z.object({ name: z.string() }))), 201))
      .get('/guestbook', async (c) => c.json(await guestbook.entries({}))),
  documentation: {
    title: 'Hello API',
    description: 'Greets people and keeps a guestbook.',
    tags: [],
  },
});
