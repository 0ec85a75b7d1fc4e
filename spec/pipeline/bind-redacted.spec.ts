import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { bindRedacted } from '../../lib/pipeline/bind-redacted';
import { LOGGER_PARTS } from '../../lib/pipeline/logger-parts';
import { MemorySink } from '../../lib/sinks/memory-sink';

// The ingest handler's way to bind a browser's values redacted as the event will carry them, so it
// can render the browser's message from them (see spec/node/ingest/ingest-redaction.spec.ts).

describe('bindRedacted', () => {
  it('binds a child whose values a censor function has redacted already: its events carry them, the censor run once per event', () => {
    const memory = new MemorySink();
    const calls: string[] = [];
    const log = new LoggerConfiguration().destructure
      .redact({ keys: /secret/i, censor: (_value, path) => (calls.push(path), `[${path}]`) })
      .writeTo.sink(memory)
      .createLogger();
    const [child, bound] = bindRedacted(log, { Client: { id: 1, secret: 's-1' } })!;
    expect(bound).toMatchObject({ keys: ['Client'], values: [{ id: 1, secret: '[Client.secret]' }], redacted: true });
    child.information('Saved {Secret}', 's-2');
    expect(memory.events[0].properties).toEqual({ Secret: '[Secret]', Client: { id: 1, secret: '[Client.secret]' } });
    expect(calls).toEqual(['Client.secret', 'Secret']);
  });

  it("redacts the parent's values too, in their order, removing what a policy removes", () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().destructure
      .redact({ keys: /token/i, censor: () => '[t]' })
      .destructure.redact({ paths: ['Session'], remove: true })
      .writeTo.sink(memory)
      .createLogger();
    const parent = log.child({ 1: 'one', Token: 't-1', Session: 's-1', Route: '/' });
    const [child, bound] = bindRedacted(parent, { Route: '/cart', Client: { token: 't-2' } })!;
    expect(bound.keys).toEqual(['1', 'Token', 'Route', 'Client']);
    expect(bound.values).toEqual(['one', '[t]', '/cart', { token: '[t]' }]);
    child.information('Hi');
    expect(memory.events[0].properties).toEqual({ 1: 'one', Token: '[t]', Route: '/cart', Client: { token: '[t]' } });
    expect(JSON.stringify(memory.events[0].properties)).not.toMatch(/t-1|t-2|s-1/);
  });

  it('puts the child at the level of a SourceContext override, as child does', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().minimumLevel.override('Noisy', 'error').writeTo.sink(memory).createLogger();
    const [child] = bindRedacted(log, { SourceContext: 'Noisy.Part' })!;
    child.warning('dropped');
    child.error('kept');
    expect(memory.events.map((e) => e.renderMessage())).toEqual(['kept']);
  });

  it("gives the logger's capture limits, which cut the bound values without any policy", () => {
    const log = new LoggerConfiguration().destructure.toMaximumStringLength(4).createLogger();
    const [, bound, limits] = bindRedacted(log, { Client: { note: 'abcdefgh' } })!;
    expect(limits).toMatchObject({ maxStringLength: 4 });
    expect(bound.values).toEqual([{ note: 'abcd…[truncated 4 chars]' }]);
    expect(bindRedacted(new LoggerConfiguration().createLogger(), {})![2]).toBeUndefined();
  });

  it('answers undefined for a logger that is not an rxlog Logger', () => {
    expect(bindRedacted({ child: () => ({}) }, {})).toBeUndefined();
  });

  it('finds the parts by the same global symbol in every copy of rxlog', () => {
    expect(LOGGER_PARTS).toBe(Symbol.for('rxlog.loggerParts'));
  });
});
