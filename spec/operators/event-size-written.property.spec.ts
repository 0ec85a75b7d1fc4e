import fc from 'fast-check';
import { estimateEventBytes, truncateEvent } from '../../lib/operators/event-size';
import { CompactJsonFormatter } from '../../lib/formatting/compact-json-formatter';
import { NdjsonFormatter } from '../../lib/formatting/ndjson-formatter';
import { TextFormatter } from '../../lib/formatting/text-formatter';
import { makeEvent } from '../helpers/events';
import { parseTemplate } from '../../lib/templates/parse-template';

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

describe('estimateEventBytes of events whose holes have formats, against their CLEF line', () => {
  /** A hole with a format, and an alignment or none: what makes CLEF write its property again, in `@r`. */
  const hole = fc.record({
    name: fc.constantFrom('A', 'B', 'C', 'D'),
    alignment: fc.option(fc.integer({ min: -20, max: 20 }), { nil: undefined }),
    format: fc.constantFrom('l', 'j', 'x', '0.00', 'N2', 'yyyy'),
  });
  /** A string under 64 characters counts its length (see `message` above): such a one needs no escape here. */
  const value = fc.oneof(
    fc.stringMatching(/^[ -!#-[\]-~]{0,63}$/),
    fc.string({ minLength: 64, maxLength: 3_000, unit: 'binary' }),
    fc.integer({ min: -999_999, max: 999_999 }),
    fc.boolean(),
  );
  /** The fixed part's few bytes (see estimateEventBytes) and `@r`'s own `,"@r":[]`. */
  const SLACK = 16;

  it("is never below the line by more than 16 bytes and the holes' padding, whatever the holes render", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.stringMatching(/^[a-z ]{0,8}$/), hole), { minLength: 1, maxLength: 6 }),
        fc.record({ A: value, B: value, C: value, D: value }),
        (parts, properties) => {
          const text = parts
            .map(
              ([literal, { name, alignment, format }]) =>
                `${literal}{${name}${alignment === undefined ? '' : `,${alignment}`}:${format}}`,
            )
            .join('');
          const event = { ...makeEvent({ properties }), messageTemplate: parseTemplate(text) };
          const padding = parts.reduce((sum, [, { alignment }]) => sum + Math.abs(alignment ?? 0), 0);
          expect(estimateEventBytes(event) + SLACK + padding).toBeGreaterThanOrEqual(bytes(clef.format(event)));
        },
      ),
      { numRuns: 500 },
    );
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
