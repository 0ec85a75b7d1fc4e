import { HttpStatusError } from '../../../lib/sinks/http/http-status-error';
import { LokiSink } from '../../../lib/sinks/http/loki-sink';
import { makeEvent } from '../../helpers/events';
import { answeringServer, outcomesAroundBodyWait, stalledBodyFetch } from '../../helpers/http-answers';

/**
 * LokiSink reads the body of a `400` (Loki's count of the entries it ignored) and of a `2xx` past
 * `206` (a blocked tenant's `260`) before HttpSink sees the answer. A body that stalls after the
 * status must not hold the batch: HttpSink reads a body for at most 10 s after the status when
 * `timeoutMs` is `Infinity`, and then follows the status.
 */
describe('LokiSink and an answer whose body stalls after the status', () => {
  afterEach(() => jest.useRealTimers());

  // Found by a review: with timeoutMs: Infinity, a 400 whose body stalled was awaited for ever, so
  // the batch, and every later one, was held until close.
  it.each([400, 207])('follows a %i whose body stalls within 10 s with no timeout, and lets the request go', async (status) => {
    jest.useFakeTimers();
    const signals: AbortSignal[] = [];
    const sink = new LokiSink({ url: 'http://127.0.0.1:1', timeoutMs: Infinity, fetch: stalledBodyFetch(status, signals) });
    const [before, at] = await outcomesAroundBodyWait(sink, (error) => `${error.status} ${String(error.permanent)}`);
    expect(before).toBe('pending');
    expect(at).toBe(status === 400 ? 'failed: 400 true' : 'delivered');
    expect(signals[0].aborted).toBe(true);
    sink.close();
  });

  it('aborts the fetch it calls when the sink closes, as it aborts its own', async () => {
    const signals: AbortSignal[] = [];
    const never = (_url: unknown, init?: RequestInit): Promise<Response> => {
      signals.push(init?.signal as AbortSignal);
      return new Promise<Response>(() => undefined);
    };
    const sink = new LokiSink({ url: 'http://127.0.0.1:1', timeoutMs: Infinity, fetch: never });
    const failure = sink.emit([makeEvent()]);
    await new Promise((resolve) => setImmediate(resolve));
    sink.close();
    await expect(failure).rejects.toThrow(/the sink closed/);
    expect(signals[0].aborted).toBe(true);
  });

  describe('from a real server on 127.0.0.1 (a stand-in: Loki writes its 400 whole; a proxy may not)', () => {
    const answering = answeringServer();
    afterEach(() => answering.close());

    it('fails a batch answered 400 whose body stalls by its status, within 10 s, and closes the connection', async () => {
      let closed!: Promise<void>;
      const url = await answering.start((response) => {
        closed = new Promise<void>((resolve) => response.socket?.once('close', () => resolve()));
        response.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
        response.write("entry with timestamp 2023-11-14 22:13:20 +0000 UTC ignored, reason: 'entry out of order',\n");
      });
      const started = Date.now();

      const failure = new LokiSink({ url, timeoutMs: Infinity }).emit([makeEvent()]);

      await expect(failure).rejects.toBeInstanceOf(HttpStatusError);
      await expect(failure).rejects.toMatchObject({ status: 400, permanent: true });
      expect(Date.now() - started).toBeLessThan(12_000);
      await closed;
    }, 15_000);
  });
});
