/** A line that is not a CLEF event, thrown by `readCompactJson` with the reason and the start of the line. */
export class ClefParseError extends Error {
  override readonly name = 'ClefParseError';

  constructor(
    reason: string,
    /** The offending line. */
    readonly line: string,
  ) {
    super(`Not a CLEF event (${reason}): ${line.length > 120 ? `${line.slice(0, 120)}…` : line}`);
  }
}
