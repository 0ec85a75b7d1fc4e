import { HttpTimeoutError } from '../../../lib/sinks/http/http-timeout-error';

describe('HttpTimeoutError', () => {
  it('names the request and the limit', () => {
    const error = new HttpTimeoutError('POST', 'http://h/ingest', 250);
    expect(error).toBeInstanceOf(HttpTimeoutError);
    expect(error.name).toBe('HttpTimeoutError');
    expect(error.message).toBe('POST http://h/ingest had no complete response within 250 ms; the request was aborted');
    expect(error.timeoutMs).toBe(250);
  });
});
