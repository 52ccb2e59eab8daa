/**
 * @module An application's public edge as the gateway takes it: the contracts its routes call,
 * the routes mounted under /api/v<major>, its public statuses and the words atop its API
 * reference. The gateway supplies everything else (limits, auth, problems, OpenAPI, docs).
 */
import type { Hono } from 'hono';
import type { AccessTokens } from '../kernel/access-token.js';
import type { AnyContract, ContractApi } from '../kernel/contract.js';
import type { Dependencies, Requirements } from '../kernel/module.js';
import type { LoginThrottle } from './login-throttle.js';
import type { RouteLimit } from './settings.js';

/** What the edge's routes get besides the APIs they declared. */
export interface EdgeRouteContext {
  readonly tokens: AccessTokens;
  /** Login throttling, for a route that checks passwords; absent when the edge runs without limits. */
  readonly logins?: LoginThrottle | undefined;
}

/** The words the OpenAPI document opens with, and the tags its operations are grouped under. */
export interface EdgeDocumentation {
  readonly title: string;
  /** Markdown; the framework appends how errors and sign-in work. */
  readonly description: string;
  readonly tags: readonly { readonly name: string; readonly description: string }[];
}

/** The public API: the contracts it calls, and the routes mounted under /api/v<major>. */
export interface PublicEdge {
  /** Every contract the routes call, like a module's `requires`: in a split, the gateway may call these and no other. */
  readonly requires: Requirements;
  readonly routes: (resolve: <C extends AnyContract>(contract: C) => ContractApi<C>, context: EdgeRouteContext) => Hono;
  /** Codes whose public HTTP status is more precise than their kind's (a declined card: 402). */
  readonly statusByCode?: Readonly<Record<string, number>>;
  /** Rate limits on groups of routes, on top of the default one (RATE_LIMIT_DEFAULT). */
  readonly routeLimits?: readonly RouteLimit[];
  readonly documentation: EdgeDocumentation;
}

/** The API of each contract in `requires`, looked up once through `resolve`. */
export const resolveRequirements = <R extends Requirements>(requires: R, resolve: <C extends AnyContract>(contract: C) => ContractApi<C>): Dependencies<R> =>
  Object.fromEntries(Object.entries(requires).map(([key, contract]) => [key, resolve(contract)])) as Dependencies<R>;

/**
 * A public edge whose routes get exactly the APIs `requires` declares, typed, so a route
 * cannot call a contract the gateway has no permission for.
 */
export const defineEdge = <R extends Requirements>(edge: {
  readonly requires: R;
  readonly routes: (apis: Dependencies<R>, context: EdgeRouteContext) => Hono;
  readonly statusByCode?: Readonly<Record<string, number>>;
  readonly routeLimits?: readonly RouteLimit[];
  readonly documentation: EdgeDocumentation;
}): PublicEdge => ({
  ...edge,
  routes: (resolve, context) => edge.routes(resolveRequirements(edge.requires, resolve), context),
});

