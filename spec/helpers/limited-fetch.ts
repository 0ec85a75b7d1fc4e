/** The `N` of each line of a body of newline-delimited events. */
const lines = (body: string): number[] => body.split('\n').map((line) => (JSON.parse(line) as { N: number }).N);

/**
 * A server (a `fetch`) that refuses every request with `status` and a `Retry-After` of the seconds
 * left until `openMs` after now (a rate limiter's window, a maintenance), then answers 200, each
 * answer `latencyMs` after the request; `at` records the time of each request, `bodies` the event
 * numbers (`N`) of those it took.
 */
export function limitedFetch(openMs: number, status = 429, latencyMs = 0) {
  const opensAt = Date.now() + openMs;
  const at: number[] = [];
  const bodies: number[][] = [];
  const fetch = (_url: unknown, init?: RequestInit): Promise<Response> => {
    const now = Date.now();
    at.push(now);
    const later = (response: Response): Promise<Response> =>
      latencyMs === 0 ? Promise.resolve(response) : new Promise((resolve) => setTimeout(() => resolve(response), latencyMs));
    if (now < opensAt)
      return later(new Response('', { status, headers: { 'Retry-After': String(Math.ceil((opensAt - now) / 1_000)) } }));
    bodies.push(lines(init?.body as string));
    return later(new Response('', { status: 200 }));
  };
  return { fetch, at, bodies, opensAt };
}
