import { HttpStatusError } from '../../../lib/sinks/http/http-status-error';

describe('HttpStatusError', () => {
  it('says which request got which status, and keeps the details', () => {
    const error = new HttpStatusError('POST', 'http://h/ingest', 429, 'Too Many Requests', 2_000, 'slow down');
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(error.name).toBe('HttpStatusError');
    expect(error.message).toBe('POST http://h/ingest answered 429 Too Many Requests (Retry-After: 2000 ms): slow down');
    expect(error).toMatchObject({
      method: 'POST',
      url: 'http://h/ingest',
      status: 429,
      statusText: 'Too Many Requests',
      retryAfterMs: 2_000,
    });
  });

  it('cuts a long response body to 200 characters and leaves out what is missing', () => {
    expect(new HttpStatusError('PUT', 'http://h/', 500, '', undefined, 'x'.repeat(300)).message).toBe(
      `PUT http://h/ answered 500: ${'x'.repeat(200)}…`,
    );
    expect(new HttpStatusError('PUT', 'http://h/', 502, 'Bad Gateway', undefined).message).toBe(
      'PUT http://h/ answered 502 Bad Gateway',
    );
  });
  it('is permanent for redirects and client errors but 408, 425 and 429, and for 501 and 505', () => {
    const permanent = (status: number): boolean | 'sink' =>
      new HttpStatusError('POST', 'http://h/', status, '', undefined).permanent;
    expect([301, 302, 307, 400, 401, 403, 404, 405, 410, 413, 422, 501, 505].map(permanent).every(Boolean)).toBe(true);
    expect([408, 425, 429, 500, 502, 503, 504].map(permanent).some(Boolean)).toBe(false);
    expect(new HttpStatusError('POST', 'http://h/', 307, '', undefined).message).toContain('redirects are not followed');
  });

  // A 401 from a wrong or revoked key, a 404 from a wrong URL, answers every batch alike: they were
  // `permanent: true` like a 400, so the breaker heard of them as successes and never opened.
  it("says which permanent statuses are the sink's ('sink') and which the batch's (true)", () => {
    const permanent = (status: number): boolean | 'sink' =>
      new HttpStatusError('POST', 'http://h/', status, '', undefined).permanent;
    const sink = [0, 260, 301, 302, 307, 308, 401, 403, 404, 405, 407, 410, 411, 414, 415, 421, 426, 431, 501, 505];
    const batch = [400, 409, 412, 413, 422, 451];
    expect(sink.map(permanent)).toEqual(sink.map(() => 'sink'));
    expect(batch.map(permanent)).toEqual(batch.map(() => true));
  });
});
