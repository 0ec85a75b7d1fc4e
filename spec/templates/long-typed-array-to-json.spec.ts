import { captureValue, DEFAULT_CAPTURE_LIMITS } from '../../lib/templates/capture';
import { writeJson } from '../../lib/templates/safe-json';

/** A Uint8Array whose toJSON counts its calls and answers as Node's Buffer does. */
class CountedBytes extends Uint8Array {
  static calls = 0;
  toJSON(): { type: string; data: number[] } {
    CountedBytes.calls++;
    return { type: 'Bytes', data: Array.from(this) };
  }
}

const MAX = DEFAULT_CAPTURE_LIMITS.maxCollectionLength;

// Found by a review: capture and writeJson gave a typed array its own toJSON before any bound, and
// Node's Buffer.toJSON copies every byte into an array: a 20 MB Buffer logged as `{Body}` cost
// 600 ms in the caller (and an array of 20 million numbers) before the capture cut it to 1 000.
describe('a typed array longer than the item bound', () => {
  beforeEach(() => {
    CountedBytes.calls = 0;
  });

  it('is captured as its first items and a marker, never given to its toJSON', () => {
    const bytes = new CountedBytes(MAX + 5).fill(7);
    const captured = captureValue(bytes) as unknown[];
    expect(CountedBytes.calls).toBe(0);
    expect(captured).toHaveLength(MAX + 1);
    expect(captured[0]).toBe(7);
    expect(captured[MAX]).toBe('…5 more');
  });

  it('is written by writeJson the same way, and as capture keeps it', () => {
    const bytes = new CountedBytes(MAX + 5).fill(7);
    const written = writeJson({ B: bytes });
    expect(CountedBytes.calls).toBe(0);
    expect(written).toBe(writeJson({ B: captureValue(bytes) }));
    expect(written.endsWith(',7,"…5 more"]}')).toBe(true);
  });

  it('keeps a Buffer of 20 MB out of Buffer.toJSON, in capture and in writeJson', () => {
    const buffer = Buffer.alloc(20_000_000, 1);
    const toJSON = jest.spyOn(Buffer.prototype, 'toJSON');
    try {
      const captured = captureValue({ Body: buffer }) as { Body: unknown[] };
      expect(toJSON).not.toHaveBeenCalled();
      expect(captured.Body).toHaveLength(MAX + 1);
      expect(captured.Body[MAX]).toBe(`…${20_000_000 - MAX} more`);
      expect(writeJson({ Body: buffer })).toBe(writeJson(captured));
      expect(toJSON).not.toHaveBeenCalled();
    } finally {
      toJSON.mockRestore();
    }
  });

  it('leaves a short typed array to its toJSON, as JSON.stringify does (a small Buffer keeps its shape)', () => {
    const bytes = CountedBytes.from([1, 2, 3]);
    expect(captureValue(bytes)).toEqual({ type: 'Bytes', data: [1, 2, 3] });
    expect(writeJson(bytes)).toBe('{"type":"Bytes","data":[1,2,3]}');
    expect(CountedBytes.calls).toBe(2);
    expect(writeJson(Buffer.from('hi'))).toBe(JSON.stringify(Buffer.from('hi')));
    expect(captureValue(Buffer.from('hi'))).toEqual({ type: 'Buffer', data: [104, 105] });
  });
});
