/**
 * @module Base URLs (`http://host:port`, optionally with a path prefix) split once into what
 * an undici dispatcher takes: an origin and a path.
 *
 * undici's top-level `request(url)` parses the whole URL and copies the options object on
 * every call; a binding calls the same few instances thousands of times a second, so each
 * base URL is parsed once and remembered.
 */

export interface Endpoint {
  /** `http://host:port`. */
  readonly origin: string;
  /** The base URL's path without a trailing slash; usually empty. */
  readonly pathPrefix: string;
}

/** Enough for every instance of every service a process calls; forgotten wholesale past it, as discovery churns. */
const maxRemembered = 1024;
const remembered = new Map<string, Endpoint>();

/** Throws a TypeError for a string that is not an http(s) URL. */
export const endpointOf = (baseUrl: string): Endpoint => {
  let endpoint = remembered.get(baseUrl);
  if (endpoint === undefined) {
    const url = new URL(baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`Not an http(s) URL: ${baseUrl}`);
    endpoint = { origin: url.origin, pathPrefix: url.pathname.replace(/\/+$/, '') };
    if (remembered.size >= maxRemembered) remembered.clear();
    remembered.set(baseUrl, endpoint);
  }
  return endpoint;
};
