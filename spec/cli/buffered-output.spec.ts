import { Writable } from 'node:stream';
import { BufferedOutput } from '../../lib/cli/buffered-output';

/** A Writable that records each write call, completing each on a later turn (so it fills past its highWaterMark). */
class RecordingStream extends Writable {
  readonly writes: string[] = [];
  constructor(highWaterMark = 1 << 20) {
    super({ highWaterMark, decodeStrings: false });
  }
  override _write(chunk: string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.writes.push(chunk);
    setImmediate(callback);
  }
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('BufferedOutput', () => {
  it('writes what was gathered in one write once the current work is done', async () => {
    const stream = new RecordingStream();
    const output = new BufferedOutput(stream);
    output.write('a\n');
    output.write('b\n');
    expect(stream.writes).toEqual([]);
    await tick();
    expect(stream.writes).toEqual(['a\nb\n']);
  });

  it('writes at once when 64 Ki characters are pending', () => {
    const stream = new RecordingStream();
    const output = new BufferedOutput(stream);
    output.write('x'.repeat(64 * 1024));
    expect(stream.writes).toHaveLength(1);
  });

  it('asks the caller to wait while the stream is full, and stops asking once it drains', async () => {
    const stream = new RecordingStream(16);
    const output = new BufferedOutput(stream);
    expect(output.ready()).toBeUndefined();
    output.write('more than sixteen characters\n');
    output.flush();
    const ready = output.ready();
    expect(ready).toBeInstanceOf(Promise);
    await ready;
    expect(output.ready()).toBeUndefined();
    expect(stream.writes).toEqual(['more than sixteen characters\n']);
  });

  it('keeps a stream error instead of throwing, and drops later writes', async () => {
    const stream = new RecordingStream();
    const output = new BufferedOutput(stream);
    const epipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    stream.destroy(epipe);
    await tick();
    expect(output.failure).toBe(epipe);
    output.write('lost\n');
    await output.end();
    expect(stream.writes).toEqual([]);
  });

  it('resolves end() after the pending text is written', async () => {
    const stream = new RecordingStream(4);
    const output = new BufferedOutput(stream);
    output.write('tail\n');
    await output.end();
    expect(stream.writes).toEqual(['tail\n']);
    expect(stream.writableLength).toBe(0);
  });

  // fs.writeSync to a full disk fails inside _write, as process.stdout to a file does: the stream reports it a tick later.
  it('resolves end() once the last write has succeeded or failed, with its failure kept', async () => {
    const enospc = Object.assign(new Error('disk full'), { code: 'ENOSPC' });
    const stream = new Writable({
      write(_chunk, _encoding, callback) {
        callback(enospc);
      },
    });
    const output = new BufferedOutput(stream);
    output.write('help text\n');
    await output.end();
    expect(output.failure).toBe(enospc);
  });

  it('tells a failure listener once when the stream fails, at once when it already has, and not after it is taken back', async () => {
    const stream = new RecordingStream();
    const output = new BufferedOutput(stream);
    const told: string[] = [];
    output.onFailure(() => told.push('kept'));
    const takeBack = output.onFailure(() => told.push('taken back'));
    takeBack();
    stream.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    await tick();
    expect(told).toEqual(['kept']);
    output.onFailure(() => told.push('late'));
    expect(told).toEqual(['kept', 'late']);
  });
});
