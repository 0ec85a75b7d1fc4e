import { adoptedPromise, adoptOutcome } from '../../core/adopt-outcome';

/** The start of an answer's body, as `readResponseStart` read it. */
export interface ResponseStart {
  /** The body's first `maxBytes` bytes at most, decoded as UTF-8; a character cut by the bound is left out whole. */
  text: string;
  /** Whether `text` is the whole body: it ended within the bound, with no read error. */
  whole: boolean;
}

/**
 * The start of an answer's body as text (HttpSink's error excerpts and partial-success counts,
 * LokiSink's count of ignored entries). One behaviour for both:
 *
 * - The bound counts bytes of the body as received (UTF-8), not characters: at most `maxBytes`
 *   are decoded; a multi-byte character split by the bound is left out, never a U+FFFD or a lone
 *   surrogate. A body of exactly `maxBytes` bytes is read once more to learn that it ended, and is
 *   then `whole`; one byte more is not.
 * - Past the bound the body is cancelled: a hostile server may send an endless one, a custom
 *   fetch endless empty chunks, each of which counts 512 bytes so that at most `maxBytes / 512 + 1`
 *   reads are made, on microtasks alone.
 * - A read error mid-body (a reset connection, an abort) gives what was read so far, not `whole`:
 *   that start is what the server said (an error's excerpt shows it, a count at its start still
 *   holds, as it does for a body cut by the bound), and `whole` tells a caller that needs the end
 *   (LokiSink's `total ignored` line) not to trust it.
 * - A Response without a readable `body` (a custom fetch's) is read with its `text()`, cut the same way.
 *
 * Never rejects. A custom fetch's reader may answer with thenables: each is adopted, so each read ends.
 */
export async function readResponseStart(response: Response, maxBytes: number): Promise<ResponseStart> {
  const body = response.body as ReadableStream<Uint8Array> | null | undefined;
  if (typeof body?.getReader !== 'function') {
    try {
      const read: unknown = typeof response.text === 'function' ? await adoptedPromise(() => response.text()) : '';
      const text = typeof read === 'string' ? read : '';
      const bytes = new TextEncoder().encode(text);
      if (bytes.byteLength <= maxBytes) return { text, whole: true };
      return { text: new TextDecoder().decode(bytes.subarray(0, maxBytes), { stream: true }), whole: false };
    } catch {
      return { text: '', whole: false };
    }
  }
  const decoder = new TextDecoder();
  let text = '';
  let reader: ReadableStreamDefaultReader<Uint8Array>;
  try {
    reader = body.getReader();
  } catch {
    return { text, whole: false };
  }
  try {
    for (let read = 0; read <= maxBytes;) {
      const chunk = await adoptedPromise(() => reader.read());
      if (chunk.done) return { text: text + decoder.decode(), whole: true };
      // Cut only a chunk past the bound: a custom fetch's stream may yield ArrayBuffers, which
      // TextDecoder reads but which have no subarray.
      const bytes = chunk.value;
      const room = maxBytes - read;
      read += bytes.byteLength || 512;
      // The decoder keeps a character cut by the bound, and is never flushed: it is left out.
      text += decoder.decode(bytes.byteLength > room ? bytes.subarray(0, room) : bytes, { stream: true });
    }
  } catch {
    // Cut off mid-body: what was read so far, not whole.
    return { text, whole: false };
  }
  adoptOutcome(
    () => reader.cancel(),
    () => undefined,
    () => undefined,
  );
  return { text, whole: false };
}
