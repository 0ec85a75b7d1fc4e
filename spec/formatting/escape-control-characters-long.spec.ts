import { spawnSync } from 'node:child_process';
import path from 'node:path';
import fc from 'fast-check';
import { escapeControlCharacters, escapeControlsPastC0 } from '../../lib/core/escape-control-characters';
import { plainEnv } from '../helpers/plain-env';

// The implementation before long text was escaped a slice at a time, kept as the oracle: the output must not change.
/* eslint-disable no-control-regex */
const ORACLE_ALL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const ORACLE_BUT_LINES = /\r\n|[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const ORACLE_PAST_C0 = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/* eslint-enable no-control-regex */
function oracleOne(c: string): string {
  if (c === '\r\n') return '\n';
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  if (c === '\t') return '\\t';
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}
const oracle = (text: string, keepLineBreaks = false): string =>
  text.replace(keepLineBreaks ? ORACLE_BUT_LINES : ORACLE_ALL, oracleOne);
const oraclePastC0 = (text: string): string => text.replace(ORACLE_PAST_C0, oracleOne);

describe('escapeControlCharacters on long text', () => {
  // Pieces that matter at a slice edge: CR and LF (a CRLF is one line break when they are kept), controls of every
  // kind, both halves of a surrogate pair and lone halves, and plain text.
  const piece = fc.constantFrom(
    '\r',
    '\n',
    '\r\n',
    '\t',
    '\u0000',
    '\u001b',
    '\u007f',
    '\u009b',
    '\u2028',
    '\u202e',
    '\u2069',
    '😀',
    '\ud800',
    '\udc00',
    'a',
    'é',
  );
  // Runs of plain text and of NULs that move the pieces over slice edges (a slice is 8 Ki characters), and onto them.
  const run = fc.tuple(
    fc.oneof(fc.integer({ min: 1, max: 9000 }), fc.integer({ min: 8186, max: 8192 })),
    fc.constantFrom('x', '\u0000'),
  );
  const text = fc
    .array(
      fc.oneof(
        piece,
        piece,
        run.map(([n, c]) => c.repeat(n)),
      ),
      { maxLength: 40 },
    )
    .map((parts) => parts.join(''));

  it('writes the same text as escaping it whole, CRLF, surrogates and controls at slice edges included', () => {
    fc.assert(
      fc.property(text, fc.boolean(), (input, keep) => {
        expect(escapeControlCharacters(input, keep)).toBe(oracle(input, keep));
        expect(escapeControlsPastC0(input)).toBe(oraclePastC0(input));
      }),
      { numRuns: 500 },
    );
  });

  it('reads a CRLF at every position around a slice edge as one line break', () => {
    for (let at = 8180; at < 8200; at++) {
      for (const tail of ['\r\n', '\r\n\r\n', '\r\r\n', '\r']) {
        const input = `${'\u0000'.repeat(at)}${tail}${'y'.repeat(10)}`;
        expect(escapeControlCharacters(input, true)).toBe(oracle(input, true));
        expect(escapeControlCharacters(input)).toBe(oracle(input));
      }
    }
    const crlfs = '\r\n'.repeat(20_000);
    expect(escapeControlCharacters(crlfs, true)).toBe('\n'.repeat(20_000));
    expect(escapeControlCharacters(`a${crlfs}`, true)).toBe(`a${'\n'.repeat(20_000)}`);
  });

  /** What `script` (CommonJS, run from the project root) prints in a child process whose heap is 320 MB. */
  function inSmallHeap(script: string): { status: number | null; signal: string | null; stdout: string; stderr: string } {
    return spawnSync(process.execPath, ['--max-old-space-size=320', '--import', 'tsx', '--eval', script], {
      cwd: path.resolve(__dirname, '../..'),
      env: plainEnv(),
      encoding: 'utf8',
      timeout: 120_000,
    });
  }

  // A log file's run of NUL bytes, or a value of ESC characters, escaped at once: every one of its matches was held at
  // the same time (about 100 bytes each), so 16 Mi control characters took over 1 GB and died in a heap of 384 MB.
  // Escaped a slice at a time, the 96 Mi characters they become fit in 320 MB, flattened once.
  it('escapes 16 Mi control characters in a heap of 320 MB', () => {
    const { status, signal, stdout, stderr } = inSmallHeap(
      [
        "const { escapeControlCharacters } = require('./lib/core/escape-control-characters.ts');",
        'const show = (text) => console.log(text.length, text.slice(0, 12), text.slice(-7));',
        "show(escapeControlCharacters('\\0'.repeat(16 * 1024 * 1024)));",
        "show(escapeControlCharacters('a\\u001b'.repeat(8 * 1024 * 1024), true));",
      ].join('\n'),
    );
    expect([status, signal, stderr]).toEqual([0, null, '']);
    expect(stdout).toBe(`${6 * 16 * 1024 * 1024} \\u0000\\u0000 0\\u0000\n${7 * 8 * 1024 * 1024} a\\u001ba\\u00 a\\u001b\n`);
  }, 150_000);

  // ConsoleSink escapes DEL, C1 and the bidirectional controls in a formatter's line (a JSON line keeps its C0 escapes).
  it('escapes 16 Mi DEL characters past C0 in a heap of 320 MB', () => {
    const { status, signal, stdout, stderr } = inSmallHeap(
      [
        "const { escapeControlsPastC0 } = require('./lib/core/escape-control-characters.ts');",
        "const del = escapeControlsPastC0('\\u007f'.repeat(16 * 1024 * 1024));",
        'console.log(del.length, del.slice(-12));',
      ].join('\n'),
    );
    expect([status, signal, stderr]).toEqual([0, null, '']);
    expect(stdout).toBe(`${6 * 16 * 1024 * 1024} \\u007f\\u007f\n`);
  }, 150_000);
});
