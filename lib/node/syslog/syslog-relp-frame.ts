/** A RELP frame read from the receiver: `TXNR SP COMMAND SP DATALEN [SP DATA] LF`. */
export interface RelpFrame {
  readonly txnr: number;
  readonly command: string;
  /** DATA, decoded as UTF-8 (`''` for DATALEN 0). */
  readonly data: string;
}

/** The most DATA a receiver's frame may hold: RELP version 1 caps a frame at 128 KiB (librelp's doc/relp.md). */
const MAX_DATA_BYTES = 128 * 1024;

/** A complete header, the character after DATALEN included (SP before DATA, or the LF of an empty frame). */
const HEADER = /^(\d{1,9}) ([A-Za-z]{1,32}) (\d{1,9})([ \n])/;
/** What the start of a header may look like before the rest of it has arrived. */
const PARTIAL_HEADER = /^(?:\d{1,9}(?: (?:[A-Za-z]{1,32}(?: \d{0,9})?)?)?)?$/;
/** The longest header: 9 digits, 32 letters, 9 digits, three separators. */
const MAX_HEADER_CHARS = 53;

/**
 * One RELP frame, ready to write: `TXNR SP COMMAND SP DATALEN [SP DATA] LF`, DATALEN in bytes of
 * UTF-8 (librelp's doc/relp.md, "RELP FRAME").
 */
export function relpFrame(txnr: number, command: string, data: string): string {
  return data === '' ? `${txnr} ${command} 0\n` : `${txnr} ${command} ${Buffer.byteLength(data, 'utf8')} ${data}\n`;
}

/**
 * Splits the bytes a RELP receiver sends into frames, whatever pieces they arrive in. A frame that
 * breaks the grammar (or holds more than 128 KiB) makes `push` throw: RELP's answer to a framing
 * error is to drop the connection (doc/relp.md, "ERROR HANDLING").
 */
export class RelpReader {
  private pending: Buffer = Buffer.alloc(0);

  /** Adds `chunk` and returns the frames it completes, in order. */
  push(chunk: Buffer): RelpFrame[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: RelpFrame[] = [];
    for (;;) {
      const start = this.pending.toString('latin1', 0, Math.min(this.pending.length, MAX_HEADER_CHARS + 1));
      const header = HEADER.exec(start);
      if (header === null) {
        if (PARTIAL_HEADER.test(start)) return frames;
        throw new Error(`the receiver sent no RELP frame: ${JSON.stringify(start.slice(0, 40))}`);
      }
      const length = Number(header[3]);
      if (length > MAX_DATA_BYTES) throw new Error(`the receiver's RELP frame holds ${length} bytes (at most ${MAX_DATA_BYTES})`);
      if ((length === 0) !== (header[4] === '\n'))
        throw new Error(`the receiver's RELP frame does not match its DATALEN: ${JSON.stringify(header[0])}`);
      const dataStart = header[0].length;
      // An empty frame's LF is the header's last character; DATA is followed by its own.
      const end = length === 0 ? dataStart : dataStart + length + 1;
      if (this.pending.length < end) return frames;
      if (length !== 0 && this.pending[end - 1] !== 0x0a)
        throw new Error(`the receiver's RELP frame ${header[1]} does not end with LF after its ${length} bytes`);
      frames.push({
        txnr: Number(header[1]),
        command: header[2],
        data: length === 0 ? '' : this.pending.toString('utf8', dataStart, end - 1),
      });
      this.pending = this.pending.subarray(end);
    }
  }
}
