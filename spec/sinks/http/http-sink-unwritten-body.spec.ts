import type { LogEvent } from '../../../lib/core/log-event';
import { HttpSink } from '../../../lib/sinks/http/http-sink';
import { makeEvents } from '../../helpers/events';

// A batch body longer than the longest string the engine makes (about 2^29 UTF-16 units in V8:
// 512 events of 1 MiB, OtlpSink's default batch) cannot be written: building it throws
// `RangeError: Invalid string length`. Before, the batch failed so on every try, unsent, though
// each of its events could go (OtlpSink's 600 events of 1 MiB: none sent; now 600 in 32 requests
// of at most 20 MiB). Writing half a gigabyte is too slow for a spec: these bodies throw what the
// engine throws past a count of events instead.
describe('an HTTP sink whose batch body cannot be written whole', () => {
  const throwPast =
    (most: number, write: (events: readonly LogEvent[]) => string) =>
    (events: readonly LogEvent[]): string => {
      if (events.length > most) throw new RangeError('Invalid string length');
      return write(events);
    };

  function recordingFetch(): { fetch: typeof fetch; bodies: string[] } {
    const bodies: string[] = [];
    const fetch = (_url: unknown, init?: RequestInit): Promise<Response> => {
      bodies.push(init?.body as string);
      return Promise.resolve(new Response('', { status: 200 }));
    };
    return { fetch, bodies };
  }

  it('sends the batch in halves, down to bodies that can be written, in order', async () => {
    const { fetch, bodies } = recordingFetch();
    const lines = (events: readonly LogEvent[]): string => events.map((event) => event.renderMessage()).join('\n');
    const sink = new HttpSink({ url: 'http://127.0.0.1:1/', fetch, body: throwPast(2, lines) });
    await expect(sink.emit(makeEvents(5))).resolves.toBeUndefined();
    expect(bodies).toEqual(['event 0\nevent 1', 'event 2', 'event 3\nevent 4']);
  });

  it('still fails a single event whose body cannot be written, with what was thrown', async () => {
    const { fetch, bodies } = recordingFetch();
    const sink = new HttpSink({ url: 'http://127.0.0.1:1/', fetch, body: throwPast(0, () => '') });
    await expect(sink.emit(makeEvents(1))).rejects.toThrow(new RangeError('Invalid string length'));
    expect(bodies).toEqual([]);
  });
});
