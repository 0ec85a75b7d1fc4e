import { of } from 'rxjs';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { LogContext } from '../../lib/context/log-context';
import { useAsyncLocalStorage } from '../../lib/node/use-async-local-storage';
import { withLogContext } from '../../lib/operators/with-log-context';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { collectSelfLog } from '../helpers/self-log';

/** A request's context whose token is decoded when read, and whose decoder's error quotes the token. */
function requestContext(): Record<string, unknown> {
  return {
    RequestId: 'r-7',
    get Token(): string {
      throw new Error('invalid token eyJhbGciOi.abc123');
    },
  };
}

const stores: [string, () => () => void][] = [
  ['the default store', () => () => undefined],
  ['useAsyncLocalStorage()', useAsyncLocalStorage],
];

describe.each(stores)('LogContext properties whose getter throws, under a redaction policy, with %s', (_name, install) => {
  let restore: () => void;
  beforeEach(() => {
    restore = install();
  });
  afterEach(() => restore());

  function redactingLogger(): { log: ReturnType<LoggerConfiguration['createLogger']>; memory: MemorySink } {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().destructure
      .redact({ paths: ['Token'] })
      .enrich.fromLogContext()
      .writeTo.sink(memory)
      .createLogger();
    return { log, memory };
  }

  // The run reads its object's names when it starts, where no policy is known: SelfLog heard the
  // getter's message (the token) though the policy censors Token in every event, as it does for
  // the same getter given to child() or as a call's argument, told there by its kind only.
  it('tells SelfLog the name and the error’s kind, never the message, for LogContext.run and withLogContext', () => {
    const { log, memory } = redactingLogger();
    const { diagnostics, stop } = collectSelfLog();
    try {
      LogContext.run(requestContext(), () => log.information('in a run'));
      of(1)
        .pipe(withLogContext(requestContext))
        .subscribe(() => log.information('in a stream'));
    } finally {
      stop();
    }
    expect(memory.events.map((event) => event.properties)).toEqual([
      { RequestId: 'r-7', Token: '[Redacted]' },
      { RequestId: 'r-7', Token: '[Redacted]' },
    ]);
    expect(diagnostics.map((d) => d.message).filter((message) => message.includes('abc123'))).toEqual([]);
    expect(diagnostics.map((d) => d.args)).toContainEqual(['property Token', 'Error']);
  });

  it('keeps the message in the marker, which every event of the run carries where no policy censors it', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().enrich.fromLogContext().writeTo.sink(memory).createLogger();
    const { stop } = collectSelfLog();
    try {
      LogContext.run(requestContext(), () => log.information('in a run'));
    } finally {
      stop();
    }
    expect(memory.events[0]?.properties).toEqual({ RequestId: 'r-7', Token: '[Throws: invalid token eyJhbGciOi.abc123]' });
  });
});
