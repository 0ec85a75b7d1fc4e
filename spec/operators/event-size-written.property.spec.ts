import fc from 'fast-check';
import { estimateEventBytes, truncateEvent } from '../../lib/operators/event-size';
import { CompactJsonFormatter } from '../../lib/formatting/compact-json-formatter';
import { NdjsonFormatter } from '../../lib/formatting/ndjson-formatter';
import { TextFormatter } from '../../lib/formatting/text-formatter';
import { makeEvent } from '../helpers/events';
import type { LogEvent } from '../../lib/core/log-event';
import type { LogLevelName } from '../../lib/core/log-level';
import { parseTemplate } from '../../lib/templates/parse-template';
import { renderTemplate } from '../../lib/templates/render-template';

/** A Firefox or Safari stack: frames only (`fn@url:line:col`), no `Name: message` header, often a final newline. */
const firefoxStack = fc
  .tuple(
    fc.array(
      fc.tuple(
        fc.stringMatching(/^[a-zA-Z_$][\w$]{0,12}$/),
        fc.integer({ min: 1, max: 99_999 }),
        fc.integer({ min: 1, max: 999 }),
      ),
      { minLength: 1, maxLength: 128 },
    ),
    fc.boolean(),
  )
  .map(
    ([frames, finalNewline]) =>
      frames.map(([fn, line, column]) => `${fn}@https://a.example/m.js:${line}:${column}`).join('\n') +
      (finalNewline ? '\n' : ''),
  );

/** A V8 stack: `Name: message` and `    at` frames. */
const v8Stack = (name: string, message: string): fc.Arbitrary<string> =>
  fc
    .array(fc.stringMatching(/^[a-zA-Z_$][\w$]{0,12}$/), { minLength: 1, maxLength: 40 })
    .map((fns) => [`${name}: ${message}`, ...fns.map((fn) => `    at ${fn} (file:///app/main.js:1:2)`)].join('\n'));

/**
 * A string under 64 characters counts by its length, not its escaped bytes (by design: the few long
 * strings are what make an event large), so a short message here needs no JSON escape; from 64 on,
 * any character.
 */
const message = fc.oneof(
  fc
    .string({ maxLength: 200 })
    .filter((text) => text.length >= 64 || [...text].every((c) => c >= ' ' && c <= '~' && c !== '"' && c !== '\\')),
  fc.string({ minLength: 100, maxLength: 2_000, unit: 'grapheme' }),
);
const name = fc.constantFrom('Error', 'TypeError', 'AggregateError', 'FetchError');

/** One error with a Firefox- or V8-style stack. */
const leaf: fc.Arbitrary<Error> = fc
  .tuple(name, message, fc.boolean())
  .chain(([n, m, firefox]) => fc.tuple(fc.constant(n), fc.constant(m), firefox ? firefoxStack : v8Stack(n, m)))
  .map(([n, m, stack]) => {
    const error = new Error(m);
    error.name = n;
    error.stack = stack;
    return error;
  });

/** Errors nested up to `depth` deep through AggregateError `errors` and `cause`. */
function nestedError(depth: number): fc.Arbitrary<Error> {
  if (depth === 0) return leaf;
  return fc
    .tuple(leaf, fc.array(nestedError(depth - 1), { maxLength: 3 }), fc.option(nestedError(depth - 1), { nil: undefined }))
    .map(([top, errors, cause]) => {
      const error = errors.length > 0 ? new AggregateError(errors, top.message) : top;
      if (error !== top) error.stack = top.stack;
      if (cause !== undefined) error.cause = cause;
      return error;
    });
}

const clef = new CompactJsonFormatter();
const text = new TextFormatter();
const ndjson = new NdjsonFormatter();
const bytes = (line: string): number => Buffer.byteLength(line, 'utf8');

describe('estimateEventBytes against what the formatters write', () => {
  it('is never below the CLEF, NDJSON or text bytes of an event with Firefox/Safari or V8 stacks, AggregateErrors nested 3 deep', () => {
    fc.assert(
      fc.property(nestedError(3), (exception) => {
        const event = makeEvent({ level: 'error', exception });
        const estimate = estimateEventBytes(event);
        expect(estimate).toBeGreaterThanOrEqual(bytes(clef.format(event)));
        expect(estimate).toBeGreaterThanOrEqual(bytes(text.format(event)));
        // NDJSON's envelope (long keys, the message written twice) is past the estimate's overhead
        // for every event, exception or not: what the exception adds is compared.
        const bare = makeEvent({ level: 'error' });
        expect(estimate - estimateEventBytes(bare)).toBeGreaterThanOrEqual(
          bytes(ndjson.format(event)) - bytes(ndjson.format(bare)),
        );
      }),
      { numRuns: 300 },
    );
  });

  it("counts the text formatter's indent of a long Firefox stack's frame lines", () => {
    const error = new Error('');
    error.stack = Array.from({ length: 128 }, () => 'f@a.js:1:2').join('\n');
    const event = makeEvent({ level: 'error', exception: error });
    expect(estimateEventBytes(event)).toBeGreaterThanOrEqual(bytes(text.format(event)));
  });

  it('counts the header a Firefox stack leaves out: a 1 000-character message is not free', () => {
    const error = new TypeError('x'.repeat(1_000));
    error.stack = 'handler@https://app.example/main.js:10:5\nglobal code@https://app.example/main.js:1:1\n';
    const event = makeEvent({ level: 'error', exception: error });
    expect(estimateEventBytes(event)).toBeGreaterThanOrEqual(bytes(clef.format(event)));
    expect(estimateEventBytes(event)).toBeGreaterThanOrEqual(bytes(text.format(event)));
  });
});

/** A string of any UTF-16 code units: controls, DEL, C1, U+2028, bidirectional controls, lone surrogates. */
const anyText = (maxLength: number): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ unit: 'binary', maxLength }),
    fc.string({
      unit: fc.constantFrom('"', '\\', '\b', '\f', '\u0001', '\u007f', '\u009b', '\u2028', '\u202e', '\ud800', 'é', '€', 'a'),
      maxLength,
    }),
  );
/** What capture makes of a value: JSON data, a bigint or a Date, nested. */
const captured = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    anyText(80),
    fc.double(),
    fc.integer(),
    fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }),
    fc.boolean(),
    fc.constant(null),
    fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15) }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(anyText(10), tie('value'), { maxKeys: 5 }),
  ),
})).value;
const holeName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,6}$/);
/** A hole's format: the standard ones at their widest, dates' longest, and any text a hole can hold. */
const holeFormat = fc.oneof(
  fc.constantFrom('N100', 'F100', 'E100', 'D100', 'X100', 'P100', 'C100', 'G', 'R', '#,##0.00', '0'.repeat(60), 'u', 'w', 'lj'),
  fc.constantFrom('dddd, dd MMMM yyyy HH:mm:ss.fffffff zzz K', 'KKKKKKKKKK', 'F', 'O', 'U'),
  anyText(30).map((text) => text.replace(/[{}]/g, '')),
);
const hole = fc
  .tuple(holeName, fc.option(fc.integer({ min: -40, max: 40 }), { nil: undefined }), fc.option(holeFormat, { nil: undefined }))
  .map(
    ([name, alignment, format]) =>
      `{${name}${alignment === undefined ? '' : `,${alignment}`}${format === undefined ? '' : `:${format}`}}`,
  );
/** An event as the logger makes one: a parsed template rendered with captured properties, some of them named by its holes. */
const loggedEvent: fc.Arbitrary<LogEvent> = fc
  .record({
    pieces: fc.array(fc.oneof(anyText(20), hole, fc.constantFrom('{', '}', '{{', '}}')), { maxLength: 8 }),
    named: fc.dictionary(holeName, captured, { maxKeys: 6 }),
    other: fc.dictionary(anyText(12), captured, { maxKeys: 4 }),
    level: fc.constantFrom<LogLevelName>('verbose', 'debug', 'information', 'warning', 'error', 'fatal'),
    timestamp: fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }),
    exception: fc.option(nestedError(2), { nil: undefined, freq: 4 }),
  })
  .map(({ pieces, named, other, level, timestamp, exception }) => {
    const messageTemplate = parseTemplate(pieces.join(''));
    const properties = { ...other, ...named };
    return {
      timestamp,
      level,
      messageTemplate,
      properties,
      exception,
      renderMessage: () => renderTemplate(messageTemplate, properties),
    };
  });
/** Holes that name the properties given, often with a format and an alignment. */
const namedEvent: fc.Arbitrary<LogEvent> = fc
  .tuple(fc.dictionary(holeName, captured, { minKeys: 1, maxKeys: 4 }), fc.array(fc.tuple(fc.nat(), hole), { maxLength: 6 }))
  .map(([properties, holes]) => {
    const names = Object.keys(properties);
    const text = holes
      .map(([index, written]) => written.replace(/^\{[A-Za-z0-9_]+/, `{${names[index % names.length]}`))
      .join(' ');
    const messageTemplate = parseTemplate(text);
    return {
      ...makeEvent({ level: 'fatal', properties }),
      messageTemplate,
      renderMessage: () => renderTemplate(messageTemplate, properties),
    };
  });

const clefWithMessage = new CompactJsonFormatter({ renderMessage: true });

describe('estimateEventBytes as an upper bound of every built-in formatter', () => {
  it('is never below the bytes of the CLEF (with @m or not), NDJSON or text line, with its newline, of any event the logger makes', () => {
    fc.assert(
      fc.property(fc.oneof(loggedEvent, namedEvent), (event) => {
        const estimate = estimateEventBytes(event);
        for (const formatter of [clef, clefWithMessage, ndjson])
          expect(estimate).toBeGreaterThanOrEqual(bytes(formatter.format(event)) + 1);
        expect(estimate).toBeGreaterThanOrEqual(bytes(text.format(event)));
      }),
      { numRuns: 400, seed: 46 },
    );
  });

  // Each term of a hole's cost, at its worst: the property above rarely meets these.
  it.each([
    ['a structure of quotes and backslashes, which quoting the message doubles', '{V}', ['"\\'.repeat(40), '"'.repeat(40)]],
    ['a number past 10^15 with a grouping format', '{N:N2} {N:#,##0}', -Number.MAX_VALUE],
    ['a standard format at its widest precision', '{N:F100} {N:E100} {N:P100}', 1 / 3],
    ['a date format whose letters write six characters each', `{D:${'K'.repeat(40)}}`, new Date(0)],
    ['a wide alignment', '{A,-10000}{A,9999}', 'x'],
  ])('counts %s', (_, written, value) => {
    const messageTemplate = parseTemplate(written);
    const properties = { V: value, N: value, D: value, A: value };
    const event = {
      ...makeEvent({ properties }),
      messageTemplate,
      renderMessage: () => renderTemplate(messageTemplate, properties),
    };
    const estimate = estimateEventBytes(event);
    for (const formatter of [clef, clefWithMessage, ndjson])
      expect(estimate).toBeGreaterThanOrEqual(bytes(formatter.format(event)) + 1);
    expect(estimate).toBeGreaterThanOrEqual(bytes(text.format(event)));
  });

  it('counts the widest envelope: a bare Verbose event, NDJSON and CLEF with @m, is within a byte or two of its line', () => {
    const bare = makeEvent({ level: 'information', text: '' });
    const verbose = makeEvent({ level: 'verbose', text: '' });
    expect(bytes(ndjson.format(bare)) + 1).toBe(90);
    expect(bytes(clefWithMessage.format(verbose)) + 1).toBeLessThanOrEqual(90);
    expect(estimateEventBytes(bare)).toBe(92);
  });
});

describe('truncateEvent of an event made large by nested, line-heavy stacks', () => {
  /** Frames only, 300 lines: as nested parts, each line costs its indent as well as its characters. */
  const framesOnly = (frame: string): string => Array.from({ length: 300 }, (_, index) => `${frame}${index}@a.js:1:2`).join('\n');
  const deep = (): Error => {
    const leaf = (index: number): Error => Object.assign(new Error(`m${index}`.repeat(100)), { stack: framesOnly('f') });
    let top = leaf(0);
    for (let depth = 1; depth < 7; depth++)
      top = Object.assign(new AggregateError([top, leaf(depth)], 'agg'), { stack: framesOnly('g') });
    return top;
  };

  it('fits maxEventBytes and keeps most of it, not only markers', () => {
    const event = makeEvent({ level: 'error', exception: deep() });
    const max = Math.floor(estimateEventBytes(event) / 4);
    const after = estimateEventBytes(truncateEvent(event, max));
    expect(after).toBeLessThanOrEqual(max);
    // The plan counted string bytes only, saw too little to cut, and cut every text to its marker (830 of 18 463).
    expect(after).toBeGreaterThan(max / 2);
  });

  it('fits maxEventBytes whenever the fully cut copy does (Firefox/Safari and V8 stacks, 3 deep)', () => {
    fc.assert(
      fc.property(nestedError(3), fc.double({ min: 0.05, max: 0.95, noNaN: true }), (exception, fraction) => {
        const event = makeEvent({ level: 'error', exception });
        const max = Math.floor(estimateEventBytes(event) * fraction);
        // Below what is left when every text is cut to its marker, no cut fits: not reachable.
        fc.pre(max >= estimateEventBytes(truncateEvent(event, 0)));
        expect(estimateEventBytes(truncateEvent(event, max))).toBeLessThanOrEqual(max);
      }),
      { numRuns: 40 },
    );
  });
});
