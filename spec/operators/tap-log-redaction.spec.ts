import { of, throwError } from 'rxjs';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { exceptionText } from '../../lib/core/exception-text';
import { exceptionFrom } from '../../lib/templates/exception-from';
import { tapLog, type TapLogOptions } from '../../lib/operators/tap-log';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { collectSelfLog } from '../helpers/self-log';

// A value's getter may throw an error quoting what it guards (`password hunter2 expired`). The
// logger tells such a read by its kind when a policy censors the value (see
// spec/templates/redaction-throwing-getter.spec.ts); tapLog's values must be no way around it.

/** A card whose number a destructure transform masks. */
class Card {
  constructor(
    readonly holder: string,
    readonly number: string,
  ) {}
}

describe('tapLog under a redaction policy', () => {
  const SECRET = 'hunter2';
  class Expired extends Error {
    override name = 'Expired';
  }
  const throwing = (): object =>
    Object.defineProperty({ name: 'ann' }, 'password', {
      enumerable: true,
      get(): string {
        throw new Expired(`password ${SECRET} expired`);
      },
    });
  const KIND_ONLY = 'Capturing {What} threw {Type} (its message not told: the value is redacted); captured as a marker';
  const WITH_MESSAGE = 'Capturing {What} threw {Message}; captured as a marker';

  function run(
    paths: string[],
    options: Partial<TapLogOptions> = {},
    minimum: 'verbose' | 'warning' = 'verbose',
  ): { told: unknown[][]; properties: unknown[]; quoted: number } {
    const memory = new MemorySink();
    let configuration = new LoggerConfiguration().minimumLevel.is(minimum);
    if (paths.length !== 0) configuration = configuration.destructure.redact({ paths });
    const log = configuration.writeTo.sink(memory).createLogger();
    const selfLog = collectSelfLog();
    try {
      of(throwing())
        .pipe(tapLog(log, { name: 'users', next: 'information', subscribe: 'off', complete: 'off', ...options }))
        .subscribe();
    } finally {
      selfLog.stop();
    }
    const told = selfLog.diagnostics.filter((d) => d.template.startsWith('Capturing'));
    return {
      told: told.map((d) => [d.template, ...d.args]),
      properties: memory.events.map((e) => e.properties),
      // Diagnostics whose text quotes the secret.
      quoted: told.filter((d) => d.message.includes(SECRET)).length,
    };
  }

  it('tells a getter that throws under a censored path by its kind, not its message, as the logger does', () => {
    expect(run(['Value.password'])).toEqual({
      told: [[KIND_ONLY, 'property password', 'Expired']],
      properties: [{ Stream: 'users', Value: { name: 'ann', password: '[Redacted]' }, Count: 1 }].map((p) => ({
        ...p,
        Elapsed: expect.any(Number),
      })),
      quoted: 0,
    });
  });

  it('tells it with its message where the policy leaves the marker in the event, or without a policy', () => {
    const marker = `[Throws: password ${SECRET} expired]`;
    for (const paths of [['Value.token'], []])
      expect(run(paths)).toEqual({
        told: [[WITH_MESSAGE, 'property password', `password ${SECRET} expired`]],
        properties: [{ Stream: 'users', Value: { name: 'ann', password: marker }, Count: 1, Elapsed: expect.any(Number) }],
        quoted: 1,
      });
  });

  it('tells it by its kind when the value is captured under its own captureLimits, which no policy has seen', () => {
    expect(run(['Value.password'], { captureLimits: { maxDepth: 3 } })).toEqual({
      told: [[KIND_ONLY, 'property password', 'Expired']],
      properties: [{ Stream: 'users', Value: { name: 'ann', password: '[Redacted]' }, Count: 1, Elapsed: expect.any(Number) }],
      quoted: 0,
    });
  });

  it("logs each value as the logger captures a call's: through its destructure transforms and its capture limits", () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().destructure
      .byTransforming(Card, (card) => ({ holder: card.holder, last4: card.number.slice(-4) }))
      .destructure.toMaximumDepth(12)
      .writeTo.sink(memory)
      .createLogger();
    type Nested = { next?: Nested; depth: number };
    let deep: Nested = { depth: 12 };
    for (let depth = 11; depth > 0; depth--) deep = { next: deep, depth };
    of<unknown[]>(new Card('ann', '4111111111111111'), deep)
      .pipe(tapLog(log, { name: 'cards', next: 'information', subscribe: 'off', complete: 'off' }))
      .subscribe();
    expect(memory.events[0]?.properties['Value']).toEqual({ holder: 'ann', last4: '1111' });
    // Eleven levels below Value, as a call's {@Value} keeps them under toMaximumDepth(12) (10 by default).
    let kept = memory.events[1]?.properties['Value'] as Nested;
    while (kept.next !== undefined) kept = kept.next;
    expect(kept.depth).toBe(12);
  });

  it('logs a failure with a thrown object through the destructure transforms, as log.error(value, …) does, and so does a framework entry', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().destructure
      .byTransforming(Card, (card) => ({ last4: card.number.slice(-4) }))
      .writeTo.sink(memory)
      .createLogger();
    const card = new Card('ann', '4111111111111111');
    log.error({ card }, 'Declined');
    throwError(() => ({ card }))
      .pipe(tapLog(log, { name: 'payments', subscribe: 'off' }))
      .subscribe({ error: () => undefined });
    // What the Nest and Node request entries do with what a handler threw: the exception made before the call.
    log.write('error', exceptionFrom({ card }), 'Request failed');
    expect(memory.events.map((e) => exceptionText(e.exception))).toEqual(
      Array(3).fill('ThrownValueError: {"card":{"last4":"1111"}}'),
    );
  });

  it('reads nothing of a value whose event the logger would not write (next below its minimum level)', () => {
    expect(run(['Value.password'], {}, 'warning')).toEqual({ told: [], properties: [], quoted: 0 });
  });
});
