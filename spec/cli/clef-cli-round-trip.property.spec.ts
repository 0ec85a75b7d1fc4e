import fc from 'fast-check';
import { LOG_LEVELS } from '../../lib/core/log-level';
import type { LogEvent } from '../../lib/core/log-event';
import { CompactJsonFormatter } from '../../lib/formatting/compact-json-formatter';
import { NdjsonFormatter } from '../../lib/formatting/ndjson-formatter';
import { exceptionText } from '../../lib/core/exception-text';
import { TextFormatter } from '../../lib/formatting/text-formatter';
import { LogEventRecord } from '../../lib/templates/log-event-record';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { readLogLine } from '../../lib/cli/read-log-line';
import { boundedEvent } from '../../lib/cli/bounded-event';
import { createEventRenderer } from '../../lib/cli/create-event-renderer';
import { renderPropertyToken } from '../../lib/templates/render-template';
import { anyValue, TEMPLATE_CHARACTERS } from '../helpers/arbitraries';

// Differential: any event a logger makes → CompactJsonFormatter → the `rxlog` CLI's reader (readLogLine) gives the
// same event, and the CLI shows it as it shows the original. CLEF as https://clef-json.org has it: @t @mt @l @x @r,
// a user property whose name starts with '@' written with one more '@'.

// CLEF writes a lone UTF-16 surrogate as U+FFFD (docs/conformance.md), as stdout's UTF-8 would show it.
const wellFormed = (value: string): string =>
  value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
// eslint-disable-next-line no-control-regex -- the test looks for the control characters themselves
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;
const hole = fc
  .tuple(
    fc.constantFrom('', '@', '$'),
    fc.constantFrom('A', 'B', '0', '1', 'é', 'A.B', '_x'),
    fc.constantFrom('', ',5', ',-3', ',0'),
    fc.constantFrom('', ':0.00', ':000', ':X', ':x8', ':yyyy-MM-dd', ':HH:mm', ':u', ':N2', ':R', ':o', ':P1', ':l', ':j', ':lj'),
  )
  .map(([capture, name, align, format]) => `{${capture}${name}${align}${format}}`);
const text = fc.oneof(
  fc.string({ unit: fc.constantFrom(...TEMPLATE_CHARACTERS, '{{', '}}', '\u0000', '\u001b', '\u009b', '\u2028'), maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.constantFrom('\ud800', '\udc00x', '{{A}}', '}}{{', ''),
);
const template = fc.array(fc.oneof(text, hole), { maxLength: 6 }).map((parts) => parts.join(''));
const propertyName = fc.oneof(
  fc.constantFrom('@t', '@mt', '@m', '@l', '@x', '@i', '@r', '@tr', '@sp', '@@', '@', '@@x', '__proto__', 'A', 'X_1'),
  // NdjsonFormatter's own fields, which it writes with one more '_'.
  fc.constantFrom('timestamp', 'level', '_level', '__message', 'template', 'exception', '_', 'TraceId', 'SpanId'),
  fc.string({
    unit: fc.constantFrom('@', 'a', 'é', '😀', '\ud800', ' ', '\n', '"', '\\', '{', '}', '\u001b'),
    minLength: 1,
    maxLength: 5,
  }),
);
const exception = fc.option(
  fc.oneof(
    fc
      .tuple(fc.string({ unit: 'binary', maxLength: 10 }), fc.option(fc.string({ unit: 'binary', maxLength: 30 })))
      .map(([message, stack]) => {
        const error = new Error(message);
        if (stack === null) delete (error as { stack?: string }).stack;
        else error.stack = stack;
        return error;
      }),
    fc.string({ maxLength: 10 }),
    fc.constantFrom(new TypeError('t'), new AggregateError([new Error('inner')], 'outer'), { code: 1 }, null, 0),
  ),
  { nil: undefined },
);
// Whole and sub-millisecond times across the years CLEF writes (0001-9999).
const time = fc.oneof(
  fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_999 }),
  fc.double({ min: -62_135_596_800_000, max: 253_402_300_799_999, noNaN: true }),
  fc.constantFrom(0, -0, 0.5, 1.999, 1_700_000_000_000.25, -62_135_596_800_000, 253_402_300_799_999),
);

function shown(event: LogEvent): LogEvent {
  const bounded = boundedEvent(event, 16 * 1024 * 1024);
  if (bounded === undefined) throw new Error('message past the bound');
  return bounded;
}

describe('CLEF written by CompactJsonFormatter, read by the rxlog CLI', () => {
  const memory = new MemorySink();
  const log = new LoggerConfiguration().minimumLevel.verbose().writeTo.sink(memory).createLogger();

  function make(
    t: number,
    level: (typeof LOG_LEVELS)[number],
    mt: string,
    args: unknown[],
    context: [string, unknown][],
    error: unknown,
  ): LogEvent {
    memory.clear();
    let logger = log;
    for (const [name, value] of context) logger = logger.forContext(name, value);
    if (error === undefined) logger.write(level, mt, ...args);
    else logger.write(level, error, mt, ...args);
    const made = memory.events[0];
    return new LogEventRecord(t, made.level, made.messageTemplate, made.properties, made.exception);
  }
  const events = fc
    .tuple(
      time,
      fc.constantFrom(...LOG_LEVELS),
      template,
      fc.array(
        anyValue({ maxDepth: 3 }).filter((v) => v !== undefined),
        { maxLength: 4 },
      ),
      fc.array(fc.tuple(propertyName, fc.jsonValue({ maxDepth: 2 })), { maxLength: 3 }),
      exception,
    )
    .map((parts) => make(...parts));

  /**
   * Whether `message` splits more than one way into `event`'s template, formatted holes matching any text: the
   * regular expression engine's lazy match (each hole as short as it can be) and greedy one (as long) differ.
   */
  function splitsTwoWays(event: LogEvent, message: string): boolean {
    const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pattern = (hole: string): RegExp =>
      new RegExp(
        `^${event.messageTemplate.tokens
          .map((token) =>
            token.kind === 'text'
              ? escape(token.text)
              : token.format !== undefined
                ? hole
                : escape(renderPropertyToken(token, event.properties)),
          )
          .join('')}$`,
      );
    const lazy = pattern('([\\s\\S]*?)').exec(message);
    const greedy = pattern('([\\s\\S]*)').exec(message);
    return lazy !== null && greedy !== null && lazy.some((group, i) => group !== greedy[i]);
  }

  // NdjsonFormatter's lines are read by the same reader: the event read is the one CLEF writes the same line for.
  it('reads back what NdjsonFormatter writes as the same event', () => {
    const clef = new CompactJsonFormatter({ renderMessage: true });
    const ndjson = new NdjsonFormatter();
    const cli = createEventRenderer();
    fc.assert(
      fc.property(events, (original) => {
        const result = readLogLine(ndjson.format(original));
        if (result.kind !== 'event') throw new Error(`not read: ${result.reason}\n${ndjson.format(original)}`);
        // Two formatted holes side by side cannot be told apart in the message, nor can holes whose message splits
        // more than one way (a rendering that holds the text after it): those are rendered again. The message is
        // matched as written, a lone surrogate in it already U+FFFD as in the template read.
        const tokens = original.messageTemplate.tokens;
        const formatted = (i: number): boolean => tokens[i]?.kind === 'property' && tokens[i].format !== undefined;
        if (
          tokens.some((_, i) => formatted(i) && formatted(i + 1)) ||
          splitsTwoWays(result.event, wellFormed(original.renderMessage()))
        ) {
          const withoutMessage = (line: string): unknown => ({ ...(JSON.parse(line) as object), '@m': 0, '@r': 0 });
          expect(withoutMessage(clef.format(result.event))).toEqual(withoutMessage(clef.format(original)));
          // Rendered again whole from the values read, no hole from a guessed split of the message.
          const { timestamp, level, messageTemplate, properties, exception } = result.event;
          expect(result.event.renderMessage()).toBe(
            new LogEventRecord(timestamp, level, messageTemplate, properties, exception).renderMessage(),
          );
          return;
        }
        expect(clef.format(result.event)).toBe(clef.format(original));
        expect(cli(result.event)).toBe(wellFormed(cli(original)));
        expect(cli(shown(result.event))).toBe(wellFormed(cli(original)));
      }),
      { numRuns: 400 },
    );
  });

  for (const renderMessage of [false, true]) {
    it(`gives back the same event and the same text (renderMessage: ${renderMessage})`, () => {
      const formatter = new CompactJsonFormatter({ renderMessage });
      const cli = createEventRenderer();
      const plain = new TextFormatter('{Timestamp:o} {Level} {Message:lj} {Properties:j}{NewLine}{Exception}');
      fc.assert(
        fc.property(events, (original) => {
          const line = formatter.format(original);
          expect(line).not.toContain('\n');
          const result = readLogLine(line);
          if (result.kind !== 'event') throw new Error(`not read: ${result.reason}\n${line}`);
          const read = result.event;
          expect(read.timestamp.getTime()).toBe(original.timestamp.getTime());
          expect(read.level).toBe(original.level);
          expect(read.messageTemplate.text).toBe(wellFormed(original.messageTemplate.text));
          expect(read.renderMessage()).toBe(wellFormed(original.renderMessage()));
          expect(read.exception === undefined).toBe(original.exception === undefined);
          if (original.exception !== undefined)
            expect(exceptionText(read.exception)).toBe(wellFormed(exceptionText(original.exception)));
          expect(formatter.format(read)).toBe(line);
          expect(cli(read)).toBe(wellFormed(cli(original)));
          // As run-cli shows it: through boundedEvent, with the CLI's default bound.
          expect(cli(shown(read))).toBe(wellFormed(cli(original)));
          expect(formatter.format(shown(read))).toBe(line);
          if (!CONTROL.test(line) && !CONTROL.test(original.renderMessage()))
            expect(plain.format(read)).toBe(wellFormed(plain.format(original)));
        }),
        { numRuns: 400 },
      );
    });
  }
});
