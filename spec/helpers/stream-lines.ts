import type { Readable } from 'node:stream';

/**
 * The non-empty lines written to `stream` (a PassThrough standing for stdout, a pipe), collected
 * as they arrive: the array fills while the test runs.
 *
 * @example const lines = collectLines(stream); … expect(lines).toEqual(['a', 'b']);
 */
export function collectLines(stream: Readable): string[] {
  const lines: string[] = [];
  stream.on('data', (chunk: Buffer) =>
    lines.push(
      ...chunk
        .toString('utf8')
        .split('\n')
        .filter((line) => line !== ''),
    ),
  );
  return lines;
}
