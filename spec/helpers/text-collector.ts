import { Writable } from 'node:stream';

/** A Writable that keeps everything written to it as text (a CLI run's stdout or stderr). */
export class TextCollector extends Writable {
  text = '';
  /** @param highWaterMark The stream's buffer bound in bytes, as Node's (to test backpressure). */
  constructor(highWaterMark?: number) {
    super({ decodeStrings: false, highWaterMark });
  }
  override _write(chunk: string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.text += chunk;
    callback();
  }
}
