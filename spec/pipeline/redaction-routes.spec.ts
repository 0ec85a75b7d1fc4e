import { map } from 'rxjs';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import type { LogEvent } from '../../lib/core/log-event';
import { CompactJsonFormatter } from '../../lib/formatting/compact-json-formatter';
import { TextFormatter } from '../../lib/formatting/text-formatter';
import { enrich } from '../../lib/operators/enrich';
import { redact } from '../../lib/operators/redact';
import { MemorySink } from '../../lib/sinks/memory-sink';

const SECRET = 'hunter2-s3cr3t';

/** What a sink writes for the events: CLEF (with `@m`, `@r` and `@x`) and text with the exception. */
function written(events: readonly LogEvent[]): string {
  const clef = new CompactJsonFormatter();
  const text = new TextFormatter('{Message:lj} {Properties:j}{NewLine}{Exception}');
  return events.map((e) => `${clef.format(e)}\n${text.format(e)}`).join('\n');
}

describe('redaction, as a sink writes the event', () => {
  it('reaches an exception’s own properties by paths from their names (an axios error’s config.headers), not from a name it is logged under', async () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().destructure
      .redact({ paths: ['config.headers.Authorization', 'response.config.headers.Authorization'] })
      .writeTo.sink(memory)
      .createLogger();
    const axiosLike = Object.assign(new Error('Request failed with status code 401'), {
      config: { url: '/api', headers: { Authorization: `Bearer ${SECRET}` } },
      response: { status: 401, config: { headers: { Authorization: `Bearer ${SECRET}` } } },
    });
    log.error(axiosLike, 'Upstream refused {Url}', '/api');
    expect(written(memory.events)).not.toContain(SECRET);
    expect(memory.events[0].exception).toMatchObject({
      message: 'Request failed with status code 401',
      config: { url: '/api', headers: { Authorization: '[Redacted]' } },
    });
    // pino's 'err.config.headers.Authorization' names a property `err`, which this event does not have.
    const pinoStyle = new MemorySink();
    const other = new LoggerConfiguration().destructure
      .redact({ paths: ['err.config.headers.Authorization'] })
      .writeTo.sink(pinoStyle)
      .createLogger();
    other.error(axiosLike, 'Upstream refused');
    expect(pinoStyle.events[0].exception).toBe(axiosLike);
    await Promise.all([log.close(), other.close()]);
  });

  it('reaches a value given past the holes through its __0 name or *, and pino’s object-first call from the top', async () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().destructure
      .redact({ paths: ['password', '*.token'] })
      .writeTo.sink(memory)
      .createLogger();
    // A template that is not a literal (a literal one is checked against the values it is given).
    const saved: string = 'Saved';
    log.information(saved, { token: SECRET });
    log.information({ user: 'ann', password: SECRET } as unknown as string, 'Login');
    expect(written(memory.events)).not.toContain(SECRET);
    expect(memory.events[0].properties).toEqual({ __0: { token: '[Redacted]' } });
    // A path from the top does not reach into an extra value: it names the property __0 holds.
    const other = new MemorySink();
    const top = new LoggerConfiguration().destructure
      .redact({ paths: ['token'] })
      .writeTo.sink(other)
      .createLogger();
    top.information(saved, { token: 'kept' });
    expect(other.events[0].properties).toEqual({ __0: { token: 'kept' } });
    await Promise.all([log.close(), top.close()]);
  });

  it('names what a class instance’s toJSON() gives, not its fields; the text a toJSON() gives (a URL’s href) is not searched', async () => {
    class Credentials {
      constructor(
        readonly user: string,
        private readonly secret: string,
      ) {}
      toJSON(): object {
        return { user: this.user, pass: this.secret };
      }
    }
    const memory = new MemorySink();
    const log = new LoggerConfiguration().destructure
      .redact({ paths: ['Login.pass', 'Endpoint'] })
      .writeTo.sink(memory)
      .createLogger();
    log.information('{@Login} at {@Endpoint}', new Credentials('ann', SECRET), new URL(`https://ann:${SECRET}@example.com/`));
    expect(memory.events[0].properties).toEqual({ Login: { user: 'ann', pass: '[Redacted]' }, Endpoint: '[Redacted]' });
    expect(written(memory.events)).not.toContain(SECRET);
    await log.close();
  });

  it('never sees what an operator in a pipe adds after capture; redact(…) after it in the same pipe does', async () => {
    const late = new MemorySink();
    const guarded = new MemorySink();
    const addKey = enrich(() => ({ ApiKey: SECRET }));
    const addToken = map((e: LogEvent) => ({ ...e, properties: { ...e.properties, Session: { token: SECRET } } }));
    const log = new LoggerConfiguration().destructure
      .redact({ keys: /token|api[-_]?key/i })
      .writeTo.sink(late, { pipe: [addKey, addToken] })
      .writeTo.sink(guarded, { pipe: [addKey, addToken, redact({ keys: /token|api[-_]?key/i })] })
      .createLogger();
    log.information('Signed in {@User}', { name: 'ann', token: SECRET });
    expect(late.events[0].properties.User).toEqual({ name: 'ann', token: '[Redacted]' });
    // The configuration's policy ran when the call was captured, before these operators.
    expect(written(late.events)).toContain(SECRET);
    expect(written(guarded.events)).not.toContain(SECRET);
    expect(guarded.events[0].properties).toEqual({
      User: { name: 'ann', token: '[Redacted]' },
      ApiKey: '[Redacted]',
      Session: { token: '[Redacted]' },
    });
    await log.close();
  });
});
