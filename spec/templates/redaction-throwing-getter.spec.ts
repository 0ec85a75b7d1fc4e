import { of } from 'rxjs';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import type { LogEvent } from '../../lib/core/log-event';
import { heldThrows, throwsMarker } from '../../lib/core/read-property';
import { redact } from '../../lib/operators/redact';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { exceptionFrom } from '../../lib/templates/exception-from';
import { LogEventRecord } from '../../lib/templates/log-event-record';
import { parseTemplate } from '../../lib/templates/parse-template';
import { collectSelfLog } from '../helpers/self-log';

// A getter's error may quote the value it guards (`invalid token abc123`). Capture turns the
// throw into a `'[Throws: message]'` marker, which a policy then censors; SelfLog, told at
// capture, quoted the message all the same. Now a read whose value a policy censors is told by the
// error's kind only.
describe('a getter that throws on a value a redaction policy names', () => {
  const SECRET = 'hunter2';
  class Expired extends Error {
    override name = 'Expired';
  }
  /** A user whose `secret` getter (named `name`) throws an error quoting the value. */
  const throwing = (name = 'password'): object =>
    Object.defineProperty({ name: 'ann' }, name, {
      enumerable: true,
      get(): string {
        throw new Expired(`${name} ${SECRET} expired`);
      },
    });
  const told = (run: () => void): { template: string; args: readonly unknown[]; message: string }[] => {
    const selfLog = collectSelfLog();
    try {
      run();
    } finally {
      selfLog.stop();
    }
    return selfLog.diagnostics
      .filter((d) => d.template.startsWith('Capturing'))
      .map(({ template, args, message }) => ({ template, args, message }));
  };
  const KIND_ONLY = 'Capturing {What} threw {Type} (its message not told: the value is redacted); captured as a marker';

  it('is told to SelfLog by the property and the error type, not its message, for call arguments, child properties and enrichers', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().destructure
      .redact({ paths: ['User.password', 'Bound.pin', 'Added.otp'] })
      .enrich.with(() => ({ Added: throwing('otp') }))
      .writeTo.sink(memory)
      .createLogger();
    const diagnostics = told(() => {
      log.information('Signed in {@User}', throwing());
      log.child({ Bound: throwing('pin') }).information('Bound');
    });
    // The enricher's getter throws the same way for both events: told once (see writeUnlessRepeated).
    expect(diagnostics.map((d) => [d.template, ...d.args])).toEqual([
      [KIND_ONLY, 'property password', 'Expired'],
      [KIND_ONLY, 'property otp', 'Expired'],
      [KIND_ONLY, 'property pin', 'Expired'],
    ]);
    expect(diagnostics.filter((d) => d.message.includes(SECRET))).toEqual([]);
    expect(memory.events.map((event) => event.properties)).toEqual([
      { User: { name: 'ann', password: '[Redacted]' }, Added: { name: 'ann', otp: '[Redacted]' } },
      { Bound: { name: 'ann', pin: '[Redacted]' }, Added: { name: 'ann', otp: '[Redacted]' } },
    ]);
  });

  it('is told by its kind below a path that names a whole structure, and under a key pattern', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().destructure
      .redact({ paths: ['Headers'] })
      .destructure.redact({ keys: /pass/i })
      .writeTo.sink(memory)
      .createLogger();
    const diagnostics = told(() => {
      log.information('{@Headers}', {
        get authorization(): string {
          throw new TypeError(`Bearer ${SECRET} is not valid`);
        },
      });
      log.information('{@Login}', throwing());
    });
    expect(diagnostics.map((d) => d.args)).toEqual([
      ['property authorization', 'TypeError'],
      ['property password', 'Expired'],
    ]);
    expect(memory.events.map((event) => event.properties)).toEqual([
      { Headers: '[Redacted]' },
      { Login: { name: 'ann', password: '[Redacted]' } },
    ]);
  });

  it('in the redact operator, on an event the app built with a getter in it', () => {
    const event = new LogEventRecord(0, 'information', parseTemplate('{@User}'), { User: throwing() });
    const seen: LogEvent[] = [];
    const diagnostics = told(() => {
      of<LogEvent>(event)
        .pipe(redact(['User.password']))
        .subscribe((e) => seen.push(e));
    });
    expect(diagnostics.map((d) => [d.template, ...d.args])).toEqual([[KIND_ONLY, 'property password', 'Expired']]);
    expect(seen[0]?.properties).toEqual({ User: { name: 'ann', password: '[Redacted]' } });
  });

  it('is still told with its message when the policy leaves that value in the event, where its marker shows it too', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().destructure.redact(['User.token']).writeTo.sink(memory).createLogger();
    const diagnostics = told(() => log.information('Signed in {@User}', throwing()));
    expect(diagnostics.map((d) => [d.template, ...d.args])).toEqual([
      ['Capturing {What} threw {Message}; captured as a marker', 'property password', `password ${SECRET} expired`],
    ]);
    expect(memory.events[0]?.properties).toEqual({ User: { name: 'ann', password: `[Throws: password ${SECRET} expired]` } });
  });

  it('is told by its kind for a thrown object that is no Error, whose data a policy redacts, whoever made the exception', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().destructure.redact(['user.password']).writeTo.sink(memory).createLogger();
    const diagnostics = told(() => {
      // pino's object-first call, and what a catch gives a framework entry (made into the exception before the call).
      log.error({ user: throwing() }, 'Sign-in failed');
      log.write('error', exceptionFrom({ user: throwing() }), 'Request failed');
    });
    expect(diagnostics.map((d) => [d.template, ...d.args])).toEqual([[KIND_ONLY, 'property password', 'Expired']]);
    expect(diagnostics.filter((d) => d.message.includes(SECRET))).toEqual([]);
    expect(memory.events.map((event) => event.exception?.message)).toEqual([
      '{"user":{"name":"ann","password":"[Redacted]"}}',
      '{"user":{"name":"ann","password":"[Redacted]"}}',
    ]);
  });

  it('is told by its kind for a thrown object under any policy, and with its message without one', () => {
    const toldFor = (configure: (c: LoggerConfiguration) => LoggerConfiguration): unknown[][] => {
      const log = configure(new LoggerConfiguration()).writeTo.sink(new MemorySink()).createLogger();
      return told(() => log.error({ user: throwing() }, 'Sign-in failed')).map((d) => [d.template, ...d.args]);
    };
    // As for an Error's own properties: under a policy that leaves the marker, the exception's text still shows it.
    expect(toldFor((c) => c.destructure.redact(['user.token']))).toEqual([[KIND_ONLY, 'property password', 'Expired']]);
    expect(toldFor((c) => c)).toEqual([
      ['Capturing {What} threw {Message}; captured as a marker', 'property password', `password ${SECRET} expired`],
    ]);
  });

  it('tells every held read by its kind when what runs under the hold throws, and holds nothing after', () => {
    const diagnostics = told(() => {
      expect(() =>
        heldThrows(() => {
          throwsMarker('property password', new Expired(`${SECRET} expired`));
          throw new Error('part way');
        }),
      ).toThrow('part way');
      throwsMarker('property other', new Error('plain'));
    });
    expect(diagnostics.map((d) => [d.template, ...d.args])).toEqual([
      [KIND_ONLY, 'property password', 'Expired'],
      ['Capturing {What} threw {Message}; captured as a marker', 'property other', 'plain'],
    ]);
  });
});
