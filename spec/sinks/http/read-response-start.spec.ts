import { readResponseStart } from '../../../lib/sinks/http/read-response-start';

const encoder = new TextEncoder();

/** A Response (Node's own) whose body yields `chunks` in turn, then ends, or errors when `failWith` is given. */
function answer(chunks: readonly (string | Uint8Array)[], failWith?: Error): { response: Response; cancelled: () => boolean } {
  const queue = [...chunks];
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    pull: (controller) => {
      const next = queue.shift();
      if (next !== undefined) controller.enqueue(typeof next === 'string' ? encoder.encode(next) : next);
      else if (failWith) controller.error(failWith);
      else controller.close();
    },
    cancel: () => void (cancelled = true),
  });
  return { response: new Response(body), cancelled: () => cancelled };
}

describe('readResponseStart', () => {
  it('reads a body of exactly the bound whole, and one byte more not whole, cut to the bound', async () => {
    const exact = answer(['a'.repeat(8), 'b'.repeat(8)]);
    expect(await readResponseStart(exact.response, 16)).toEqual({ text: 'a'.repeat(8) + 'b'.repeat(8), whole: true });
    expect(exact.cancelled()).toBe(false);

    const over = answer(['a'.repeat(8), 'b'.repeat(8), 'c', 'and more']);
    expect(await readResponseStart(over.response, 16)).toEqual({ text: 'a'.repeat(8) + 'b'.repeat(8), whole: false });
    // The cancel reaches the source a few microtasks later.
    await new Promise((resolve) => setImmediate(resolve));
    expect(over.cancelled()).toBe(true);
  });

  it('counts the bound in UTF-8 bytes, and leaves out a character the bound cuts', async () => {
    // 'é' is 2 bytes, '😀' 4 (a surrogate pair in the text): 14 + 4 = 18 bytes, 16 of them read.
    const emoji = answer(['é'.repeat(7) + '😀']);
    expect(await readResponseStart(emoji.response, 16)).toEqual({ text: 'é'.repeat(7), whole: false });
    // A character split across chunks and the bound alike.
    const split = answer(['a'.repeat(15), encoder.encode('é').subarray(0, 1), encoder.encode('é').subarray(1)]);
    const start = await readResponseStart(split.response, 16);
    expect(start).toEqual({ text: 'a'.repeat(15), whole: false });
    expect(start.text).not.toContain('\uFFFD');
    // Within the bound, a character split across chunks is joined.
    const joined = answer(['a', encoder.encode('😀').subarray(0, 2), encoder.encode('😀').subarray(2)]);
    expect(await readResponseStart(joined.response, 16)).toEqual({ text: 'a😀', whole: true });
  });

  it('gives what was read before a read error, not whole', async () => {
    const { response } = answer(['upstream timed ', 'out'], new Error('socket hang up'));
    expect(await readResponseStart(response, 16 * 1024)).toEqual({ text: 'upstream timed out', whole: false });
  });

  it('reads through empty chunks to the end', async () => {
    const { response } = answer(['', 'bad', '', '', ' ', '', 'request']);
    expect(await readResponseStart(response, 16 * 1024)).toEqual({ text: 'bad request', whole: true });
  });

  it('reads a body that never ends a bounded number of times, empty chunks counting 512 bytes, then cancels it', async () => {
    for (const chunk of [new Uint8Array(0), encoder.encode('x')]) {
      let reads = 0;
      let cancelled = false;
      const body = new ReadableStream<Uint8Array>({
        pull: (controller) => (++reads > 1_000_000 ? controller.close() : controller.enqueue(chunk)),
        cancel: () => void (cancelled = true),
      });
      const start = await readResponseStart(new Response(body), 2048);
      expect(start.whole).toBe(false);
      expect(start.text).toBe('x'.repeat(chunk.byteLength * 2048));
      // A stream pulls one chunk ahead of the reader.
      expect(reads).toBeLessThanOrEqual(chunk.byteLength === 0 ? 2048 / 512 + 2 : 2048 + 2);
      expect(cancelled).toBe(true);
    }
  });

  it('reads a custom Response without a readable body by its text(), cut the same way', async () => {
    const custom = (text: () => unknown): Response => ({ text }) as unknown as Response;
    expect(
      await readResponseStart(
        custom(() => 'fine'),
        16,
      ),
    ).toEqual({ text: 'fine', whole: true });
    expect(
      await readResponseStart(
        custom(() => Promise.resolve('é'.repeat(9))),
        16,
      ),
    ).toEqual({ text: 'é'.repeat(8), whole: false });
    expect(
      await readResponseStart(
        custom(() => Promise.reject(new Error('gone'))),
        16,
      ),
    ).toEqual({ text: '', whole: false });
    expect(await readResponseStart({} as Response, 16)).toEqual({ text: '', whole: true });
  });
});
