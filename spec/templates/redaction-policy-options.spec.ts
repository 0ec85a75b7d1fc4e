import { of } from 'rxjs';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import type { LogEvent } from '../../lib/core/log-event';
import { redact } from '../../lib/operators/redact';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { LogEventRecord } from '../../lib/templates/log-event-record';
import { parseTemplate } from '../../lib/templates/parse-template';
import { RedactionPolicy, type RedactOptions } from '../../lib/templates/redaction-policy';

describe('RedactionPolicy.compile options', () => {
  it('refuses options whose names cannot be listed with a ConfigurationError keeping the cause', () => {
    const boom = new Error('boom');
    const options = new Proxy<RedactOptions>(
      { paths: ['Password'] },
      {
        ownKeys() {
          throw boom;
        },
      },
    );
    let thrown: unknown;
    try {
      RedactionPolicy.compile(options, 'destructure.redact');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigurationError);
    expect((thrown as Error).message).toMatch(/^destructure\.redact: /);
    expect((thrown as Error).cause).toBe(boom);
  });

  it('lets an option set to undefined through, as every options object does', () => {
    const options = { paths: ['Password'], path: undefined } as unknown as RedactOptions;
    expect(RedactionPolicy.compile(options).redactProperties({ Password: 'x' })).toEqual({ Password: '[Redacted]' });
  });

  // pino's short form, `redact: ['a.b', 'c']`, the first thing a pino user writes.
  it('takes an array of paths as { paths } with the default censor, in destructure.redact and RedactionPolicy.compile', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().destructure.redact(['User.password', 'Token']).writeTo.sink(memory).createLogger();
    log.information('Signed in {@User} with {Token}', { name: 'ann', password: 'hunter2' }, 'abc');
    expect(memory.events[0]?.properties).toEqual({ User: { name: 'ann', password: '[Redacted]' }, Token: '[Redacted]' });
    expect(RedactionPolicy.compile(['a.b']).redactProperties({ a: { b: 1, c: 2 } })).toEqual({ a: { b: '[Redacted]', c: 2 } });
  });

  it('checks each path of the short form as it checks paths, and an empty one as a policy with nothing to redact', () => {
    expect(() => RedactionPolicy.compile(['User..password'], 'destructure.redact')).toThrow(
      'destructure.redact: paths[0]: expected a dotted path like "User.password", got "User..password"',
    );
    expect(() => RedactionPolicy.compile(['a', 5] as never)).toThrow(/redact: paths\[1\]: expected a dotted path/);
    expect(() => new LoggerConfiguration().destructure.redact([])).toThrow(
      new ConfigurationError('destructure.redact: give at least one path or key pattern'),
    );
  });

  it('reads the short form once: an array changed after configuration, or a Proxy whose trap throws, changes nothing or is a ConfigurationError', () => {
    const paths = ['Password'];
    const policy = RedactionPolicy.compile(paths);
    paths[0] = 'Other';
    expect(policy.redactProperties({ Password: 'x', Other: 'y' })).toEqual({ Password: '[Redacted]', Other: 'y' });
    const hostile = new Proxy(['Password'], {
      get(target, key) {
        if (key === Symbol.iterator || key === 'length') throw new Error('vault sealed');
        return Reflect.get(target, key) as unknown;
      },
    });
    expect(() => RedactionPolicy.compile(hostile, 'destructure.redact')).toThrow(
      'destructure.redact: reading the options threw Error: vault sealed',
    );
  });

  it('reads paths and keys once, each item: a hole or a Proxy whose trap throws is a ConfigurationError naming them, also in the redact operator', () => {
    // eslint-disable-next-line no-sparse-arrays
    const holed = ['Password', , 'Card.number'] as string[];
    expect(() => redact({ paths: holed })).toThrow(
      new ConfigurationError('redact: paths[1]: expected a dotted path like "User.password", got undefined'),
    );
    const sealed = new Proxy(['Password'], {
      get(target, key) {
        if (key === '0') throw new Error('vault sealed');
        return Reflect.get(target, key) as unknown;
      },
    });
    expect(() => redact({ paths: sealed })).toThrow('redact: reading paths threw Error: vault sealed');
    expect(() => redact({ keys: sealed as unknown as RegExp[] })).toThrow('redact: reading keys threw Error: vault sealed');
  });

  it('tests a key pattern as a plain RegExp of its source and flags, made once: its own test or exec, or one set later, never runs in the logging call', async () => {
    // A subclass's exec, an own test, and an exec put on the pattern after configuration.
    class Throwing extends RegExp {
      override exec(): RegExpExecArray | null {
        throw new Error('exec');
      }
    }
    const ownTest = Object.assign(/token/, {
      test(): boolean {
        throw new Error('test');
      },
    });
    const changedLater = /secret/;
    const memory = new MemorySink();
    const log = new LoggerConfiguration().destructure
      .redact({ keys: [new Throwing('api'), ownTest, changedLater] })
      .writeTo.sink(memory)
      .createLogger();
    Object.defineProperty(changedLater, 'exec', { value: () => null });
    log.information('Called with {apiKey}, {token} and {secret}', 'k-1', 't-1', 's-1');
    await log.close();
    // Each event was lost ("Logging an event failed") or, for the pattern changed later, its secret written.
    expect(memory.events.map((event) => event.properties)).toEqual([
      { apiKey: '[Redacted]', token: '[Redacted]', secret: '[Redacted]' },
    ]);
    const piped: LogEvent[] = [];
    of(new LogEventRecord(Date.now(), 'information', parseTemplate('{apiKey}'), { apiKey: 'k-1' }))
      .pipe(redact({ keys: new Throwing('api') }))
      .subscribe((event) => piped.push(event));
    expect(piped.map((event) => event.properties)).toEqual([{ apiKey: '[Redacted]' }]);
  });
});
