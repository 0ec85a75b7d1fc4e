import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { MAX_TEMPLATE_CHARS } from '../../lib/core/message-template';
import { RxlogLoggerService } from '../../lib/nest/rxlog-logger-service';
import { MemorySink } from '../../lib/sinks/memory-sink';

// A template of a megabyte dense with braces was parsed whole on the log call's turn (most of a
// second for a Nest message of 1 MiB of `{}`), though no sink writes so long a text whole by
// default: it is now cut to MAX_TEMPLATE_CHARS before it is parsed.
describe('a template longer than a logger parses', () => {
  const logger = () => {
    const sink = new MemorySink();
    return { sink, log: new LoggerConfiguration().writeTo.sink(sink).createLogger() };
  };

  it('is cut to MAX_TEMPLATE_CHARS, with its marker, before it is parsed', async () => {
    const { sink, log } = logger();
    const text = '{A}'.repeat(MAX_TEMPLATE_CHARS);
    log.information(text, 'x');
    await log.flush();
    const template = sink.events[0].messageTemplate;
    expect(template.text).toBe(`${text.slice(0, MAX_TEMPLATE_CHARS)}…[truncated ${text.length - MAX_TEMPLATE_CHARS} chars]`);
    // Parsed from the cut text: the holes it keeps, and a hole cut in two is text.
    const holes = template.tokens.filter((token) => token.kind === 'property');
    expect(holes).toHaveLength(Math.floor(MAX_TEMPLATE_CHARS / 3));
    await log.close();
  });

  it('is written as it was up to MAX_TEMPLATE_CHARS', async () => {
    const { sink, log } = logger();
    const text = `${'x'.repeat(MAX_TEMPLATE_CHARS - 3)}{A}`;
    log.information(text, 'y');
    await log.flush();
    expect(sink.events[0].messageTemplate.text).toBe(text);
    expect(sink.events[0].renderMessage()).toBe(`${'x'.repeat(MAX_TEMPLATE_CHARS - 3)}y`);
    await log.close();
  });

  it('cuts a Nest message of 1 MiB of braces once, before its braces are doubled', async () => {
    const { sink, log } = logger();
    const message = '{}'.repeat(512 * 1024);
    new RxlogLoggerService(log).log(message);
    await log.flush();
    const kept = MAX_TEMPLATE_CHARS / 2 - 32;
    // The message's own characters are counted: the logger does not cut the doubled text again.
    expect(sink.events[0].renderMessage()).toBe(`${message.slice(0, kept)}…[truncated ${message.length - kept} chars]`);
    await log.close();
  });
});
