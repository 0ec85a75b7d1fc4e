/** The richer workloads of scenarios 7–10: what services log besides two strings. */

/** An order of 15 fields, two levels deep (a customer and an address inside it, lines as an array). */
export function makeOrder(i: number): Record<string, unknown> {
  return {
    id: `o-${i}`,
    status: 'paid',
    total: 129.5 + (i & 7),
    currency: 'EUR',
    items: 3,
    express: (i & 1) === 0,
    createdAt: '2026-11-30T12:00:00.000Z',
    channel: 'web',
    coupon: null,
    customer: { id: `c-${i & 63}`, tier: 'gold', email: 'someone@example.com' },
    address: { city: 'Oslo', country: 'NO', zip: '0150' },
  };
}

/** Eight orders made up front, so the loop measures logging, not object creation. */
export const ORDERS: readonly Record<string, unknown>[] = Array.from({ length: 8 }, (_, i) => makeOrder(i));

/** An error with a stack and a cause, as a failing payment would throw it. */
export function makeError(): Error {
  const cause = new Error('connection reset by peer');
  const error = new Error('payment provider unavailable', { cause });
  (error as Error & { code?: string }).code = 'E_PROVIDER';
  return error;
}

/** The five paths both libraries redact in scenario 10. */
export const REDACT_PATHS: readonly string[] = [
  'User.password',
  'User.token',
  'Headers.authorization',
  'Headers.cookie',
  'Card.number',
];

/** What is logged in scenario 10: a user, request headers and a card, each with a secret to hide. */
export const REDACT_VALUES = {
  User: { name: 'ada', password: 'hunter2', token: 't-123', role: 'admin' },
  Headers: { authorization: 'Bearer abc', cookie: 'sid=1', accept: 'application/json' },
  Card: { number: '4111111111111111', expiry: '12/30' },
};
