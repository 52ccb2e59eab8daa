/**
 * @module A small HTTP client for the shop's public API, for journey tests; given a
 * `ResponseValidator`, every answer must conform to the shop's OpenAPI document.
 */
import type { ResponseValidator } from './openapi-responses.js';

export interface Reply<T = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

export class ShopClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token?: string,
    /** Checks every answer against the OpenAPI document; a request whose answer departs from it throws. */
    private readonly responses?: ResponseValidator,
  ) {}

  as(token: string): ShopClient {
    return new ShopClient(this.baseUrl, token, this.responses);
  }

  /** The same user, talking to another process (a restarted one, another replica). */
  at(baseUrl: string): ShopClient {
    return new ShopClient(baseUrl, this.token, this.responses);
  }

  /** The same user, every answer checked by `responses`. */
  checkedBy(responses: ResponseValidator): ShopClient {
    return new ShopClient(this.baseUrl, this.token, responses);
  }

  async request<T = Record<string, unknown>>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    const response = await fetch(`${this.baseUrl}/api/v1${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    await this.responses?.assertConforms({ method, path, status: response.status, contentType: response.headers.get('content-type'), body: text });
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : {}) as T };
  }

  get<T = Record<string, unknown>>(path: string): Promise<Reply<T>> {
    return this.request<T>('GET', path);
  }

  post<T = Record<string, unknown>>(path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply<T>> {
    return this.request<T>('POST', path, body, headers);
  }

  /** Registers (if needed) and logs in; a client acting as that user. */
  async signIn(email: string, password = 'correct horse battery', name = 'Test Shopper'): Promise<ShopClient> {
    await this.post('/auth/register', { email, password, name });
    const login = await this.post<{ token: string }>('/auth/login', { email, password });
    if (login.status !== 200) throw new Error(`login failed: ${JSON.stringify(login.body)}`);
    return this.as(login.body.token);
  }
}

export const testCards = {
  good: '4242424242424242',
  declined: '4000000000000002',
  insufficientFunds: '4000000000009995',
  processingError: '4000000000000119',
} as const;

/** An order body for `items`, paid with `cardNumber`, shipped to Berlin. */
export const orderBody = (items: { productId: string; quantity: number }[], cardNumber: string = testCards.good) => ({
  items,
  shippingAddress: { name: 'Ada Lovelace', line1: 'Unter den Linden 1', city: 'Berlin', postalCode: '10117', country: 'DE' },
  payment: { cardNumber, expMonth: 12, expYear: new Date().getFullYear() + 3, cvc: '123' },
});
