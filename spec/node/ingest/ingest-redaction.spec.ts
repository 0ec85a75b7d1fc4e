import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LoggerConfiguration } from '../../../lib/configuration/logger-configuration';
import type { LogEvent } from '../../../lib/core/log-event';
import { CompactJsonFormatter } from '../../../lib/formatting/compact-json-formatter';
import { NdjsonFormatter } from '../../../lib/formatting/ndjson-formatter';
import { createIngestHandler, type IngestLogger } from '../../../lib/node/ingest/create-ingest-handler';
import type { Logger } from '../../../lib/pipeline/logger';
import { HttpSink } from '../../../lib/sinks/http/http-sink';
import { MemorySink } from '../../../lib/sinks/memory-sink';
import type { RedactOptions } from '../../../lib/templates/redaction-policy';

// The server logger's redaction policy must reach the message the handler renders from the
// browser's template (ClientMessage), not only the browser's values in `Client`: a secret a browser
// put in a template hole reached every server sink in ClientMessage.

const servers: Server[] = [];
const loggers: Logger[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  await Promise.all(loggers.splice(0).map((log) => log.close({ strategy: 'immediate', timeoutMs: 0 })));
});

interface Ingest {
  url: string;
  events: LogEvent[];
  /** What a sink writing CLEF with the rendered message (`@m`) writes, one line an event. */
  lines(): string[];
}

/** A real server on 127.0.0.1 whose ingest handler writes into a logger with these policies (`logFor` picks the logger it is given). */
async function startIngest(
  policies: RedactOptions[],
  logFor: (log: Logger) => IngestLogger = (log) => log,
  configure: (configuration: LoggerConfiguration) => LoggerConfiguration = (configuration) => configuration,
): Promise<Ingest> {
  const memory = new MemorySink();
  let configuration = configure(new LoggerConfiguration().minimumLevel.verbose());
  for (const policy of policies) configuration = configuration.destructure.redact(policy);
  const log = configuration.writeTo.sink(memory).createLogger();
  loggers.push(log);
  const handler = createIngestHandler(logFor(log));
  const server = createServer((req, res) => handler(req, res));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const formatter = new CompactJsonFormatter({ renderMessage: true });
  return {
    url: `http://127.0.0.1:${port}/ingest`,
    events: memory.events,
    lines: () => memory.events.map((event) => formatter.format(event)),
  };
}

async function post(
  url: string,
  lines: Record<string, unknown>[],
  contentType = 'application/vnd.serilog.clef',
): Promise<unknown> {
  const body = lines.map((line) => JSON.stringify({ '@t': '2026-12-03T09:00:00.000Z', ...line })).join('\n');
  const response = await fetch(url, { method: 'POST', body, headers: { 'Content-Type': contentType } });
  return response.json();
}

const clientOf = (event: LogEvent): Record<string, unknown> => event.properties.Client as Record<string, unknown>;

describe('createIngestHandler with a redaction policy on the server logger', () => {
  it("renders ClientMessage from the browser's values as the policy redacted them (by path and by key pattern), from a real HttpSink", async () => {
    const ingest = await startIngest([{ paths: ['Client.Password'], keys: /token/i }]);
    const browser = new LoggerConfiguration().writeTo
      .sink(new HttpSink({ url: ingest.url }), { batch: { size: 10, maxDelayMs: 10 } })
      .createLogger();
    browser.information('Login {User} with {Password} and {ApiToken}', 'ann', 'hunter2', 't-secret-1');
    browser.information('Signed in {@User}', { name: 'ann', sessionToken: 't-secret-2', age: 42 });
    await browser.close({ strategy: 'flush', timeoutMs: 5_000 });
    expect(browser.metrics().sinks.http).toMatchObject({ delivered: 2, failed: 0 });

    expect(ingest.events.map((e) => e.properties.ClientMessage)).toEqual([
      'Login ann with [Redacted] and [Redacted]',
      'Signed in {"name":"ann","sessionToken":"[Redacted]","age":42}',
    ]);
    expect(ingest.events.map((e) => e.renderMessage())).toEqual([
      'Login ann with [Redacted] and [Redacted]',
      'Signed in {"name":"ann","sessionToken":"[Redacted]","age":42}',
    ]);
    expect(clientOf(ingest.events[0])).toEqual({ User: 'ann', Password: '[Redacted]', ApiToken: '[Redacted]' });
    // The template (what events are grouped by) is kept; no line any sink writes holds a secret.
    expect(ingest.events[0].properties.ClientTemplate).toBe('Login {User} with {Password} and {ApiToken}');
    const written = ingest.lines().join('\n');
    for (const secret of ['hunter2', 't-secret-1', 't-secret-2']) expect(written).not.toContain(secret);
    expect(written).toContain('ann');
  });

  it('runs a censor function once per event and match, and ClientMessage shows what it returned, as Client does', async () => {
    const seen: string[] = [];
    const ingest = await startIngest([
      {
        paths: ['Client.Card'],
        censor: (value, path) => {
          seen.push(path);
          return `****${String(value).slice(-4)}`;
        },
      },
    ]);
    const answer = await post(ingest.url, [
      { '@mt': 'Paid {Amount} with {Card}', Amount: 12.5, Card: '4111111111111111' },
      { '@mt': 'Paid {Amount,8:0.00} with {Card}', Amount: 7, Card: '5500000000000004' },
    ]);
    expect(answer).toEqual({ accepted: 2, rejected: 0 });
    expect(ingest.events.map((e) => e.renderMessage())).toEqual(['Paid 12.5 with ****1111', 'Paid     7.00 with ****0004']);
    expect(ingest.events.map((e) => clientOf(e).Card)).toEqual(['****1111', '****0004']);
    expect(seen).toEqual(['Client.Card', 'Client.Card']);
    const written = ingest.lines().join('\n');
    expect(written).not.toContain('4111111111111111');
    expect(written).not.toContain('5500000000000004');
  });

  it("shows a formatted hole as the browser rendered it (@r) only for a value the policy left: a redacted one's rendering never reaches a sink", async () => {
    const ingest = await startIngest([{ paths: ['Client.Password', 'Client.Pin'] }, { keys: /^gone$/i, remove: true }]);
    const browser = new LoggerConfiguration().writeTo
      .sink(new HttpSink({ url: ingest.url }), { batch: { size: 10, maxDelayMs: 10 } })
      .createLogger();
    // `:l` and `:000` are formats: the CLEF line carries the browser's renderings of them in @r.
    browser.information(
      'Login {User:l} with {Password:l} pin {Pin:000} {Gone:l} at {When:yyyy}',
      'ann',
      'hunter2',
      // Six digits: no run of digits in a line's timestamps is longer than four (a pin of 42, written
      // `042`, was found in a timestamp's milliseconds, `…:03.042Z`).
      731942,
      's3',
      new Date(0),
    );
    await browser.close({ strategy: 'flush', timeoutMs: 5_000 });
    expect(ingest.events.map((e) => e.renderMessage())).toEqual([
      `Login ann with [Redacted] pin [Redacted] {Gone:l} at ${new Date(0).getFullYear()}`,
    ]);
    const written = ingest.lines().join('\n');
    for (const secret of ['hunter2', '731942', 's3']) expect(written).not.toContain(secret);
  });

  it("keeps an NDJSON line's own message for its formatted holes only when the policy changed none of its values", async () => {
    const ingest = await startIngest([{ paths: ['Client.Password'] }]);
    const browser = new LoggerConfiguration().writeTo
      .sink(new HttpSink({ url: ingest.url, formatter: new NdjsonFormatter(), contentType: 'application/x-ndjson' }), {
        batch: { size: 10, maxDelayMs: 10 },
      })
      .createLogger();
    const when = new Date(0);
    browser.information('Seen {User} at {When:yyyy}', 'ann', when);
    browser.information('Login {User} with {Password:l} at {When:yyyy}', 'ann', 'hunter2', when);
    await browser.close({ strategy: 'flush', timeoutMs: 5_000 });
    // NDJSON carries no renderings: the first message is the browser's, with the Date as it was
    // formatted (not its ISO string); the second is rendered from what the policy left.
    expect(ingest.events.map((e) => e.renderMessage())).toEqual([
      `Seen ann at ${when.getFullYear()}`,
      'Login ann with [Redacted] at 1970-01-01T00:00:00.000Z',
    ]);
    expect(ingest.lines().join('\n')).not.toContain('hunter2');
  });

  it('leaves the hole of a removed value as written, and of a wholly redacted Client, each hole', async () => {
    const removed = await startIngest([{ keys: /^password$/i, remove: true }]);
    await post(removed.url, [{ '@mt': 'Login {User} with {Password}', User: 'ann', Password: 'hunter2' }]);
    expect(removed.events[0].renderMessage()).toBe('Login ann with {Password}');
    expect(clientOf(removed.events[0])).toEqual({ User: 'ann' });

    const whole = await startIngest([{ paths: ['Client'] }]);
    await post(whole.url, [{ '@mt': 'Login {User} with {Password}', User: 'ann', Password: 'hunter2' }]);
    expect(whole.events[0].renderMessage()).toBe('Login {User} with {Password}');
    expect(whole.events[0].properties.Client).toBe('[Redacted]');
    expect(whole.lines().join('\n')).not.toContain('hunter2');
  });

  it("keeps redacting the properties of a child logger it is given, with a censor function, in the browser's events", async () => {
    let calls = 0;
    const ingest = await startIngest(
      [
        {
          keys: /secret/i,
          censor: () => {
            calls++;
            return '[hidden]';
          },
        },
      ],
      (log) => log.child({ Tenant: { id: 't-1', secret: 'tenant-secret' } }),
    );
    await post(ingest.url, [{ '@mt': 'Saved {Secret} for {Id}', Secret: 'browser-secret', Id: 7 }]);
    const [event] = ingest.events;
    expect(event.renderMessage()).toBe('Saved [hidden] for 7');
    expect(event.properties.Tenant).toEqual({ id: 't-1', secret: '[hidden]' });
    expect(clientOf(event)).toEqual({ Secret: '[hidden]', Id: 7 });
    // Once for the tenant's secret, once for the browser's: not again for the message.
    expect(calls).toBe(2);
    const written = ingest.lines().join('\n');
    expect(written).not.toContain('tenant-secret');
    expect(written).not.toContain('browser-secret');
  });

  it('replaces a message the browser rendered without sending its template when the policy redacted one of its values, and keeps it otherwise', async () => {
    const ingest = await startIngest([{ keys: /password/i }]);
    const browser = new LoggerConfiguration().writeTo
      .sink(
        new HttpSink({
          url: ingest.url,
          formatter: new NdjsonFormatter({ includeTemplate: false }),
          contentType: 'application/x-ndjson',
        }),
        { batch: { size: 10, maxDelayMs: 10 } },
      )
      .createLogger();
    browser.information('Login {User} with {Password}', 'ann', 'hunter2');
    browser.information('Clicked {Button}', 'buy');
    await browser.close({ strategy: 'flush', timeoutMs: 5_000 });
    expect(ingest.events.map((e) => e.renderMessage())).toEqual(['[Redacted]', 'Clicked buy']);
    expect(clientOf(ingest.events[0])).toEqual({ User: 'ann', Password: '[Redacted]' });
    expect(ingest.lines().join('\n')).not.toContain('hunter2');

    // Without a policy, or given a logger that is not rxlog's (it has only `child`), nothing is redacted.
    const plain = await startIngest([]);
    const lines = [
      { '@mt': 'Login {User} with {Password}', User: 'ann', Password: 'hunter2' },
      { '@m': 'Plain text from hunter2', Password: 'hunter2' },
    ];
    await post(plain.url, lines);
    expect(plain.events.map((e) => e.renderMessage())).toEqual(['Login ann with hunter2', 'Plain text from hunter2']);
    const written: unknown[] = [];
    const other = await startIngest([], () => ({
      child: () => ({ write: (...args: unknown[]) => void written.push(args.slice(1)) }) as unknown as Logger,
    }));
    await post(other.url, lines);
    expect(written).toEqual([
      ['{ClientMessage}', 'Login ann with hunter2'],
      ['{ClientMessage}', 'Plain text from hunter2'],
    ]);
  });

  // The server's capture limits cut the browser's long strings and collections in Client, as its
  // own; that is no redaction: the message was compared with values captured under the default
  // limits, so a server with `toMaximumStringLength(100)` and no policy at all logged '[Redacted]'.
  it("keeps the browser's own message when the server's capture limits, not a policy, shortened its values", async () => {
    const limited = (configuration: LoggerConfiguration): LoggerConfiguration =>
      configuration.destructure.toMaximumStringLength(100).destructure.toMaximumCollectionCount(10);
    const lines = [
      { '@m': 'Clicked Buy', Note: 'x'.repeat(300) },
      { '@m': 'Cart of 20', Items: Array.from({ length: 20 }, (_, i) => i) },
      { '@mt': 'Paid at {When:HH:mm}', '@m': 'Paid at 12:30', When: '2026-12-03T12:30:00.000Z', Note: 'y'.repeat(300) },
      { '@m': 'Login with hunter2', Password: 'hunter2', Note: 'z'.repeat(300) },
    ];
    const plain = await startIngest([], undefined, limited);
    expect(await post(plain.url, lines)).toEqual({ accepted: 4, rejected: 0 });
    expect(plain.events.map((e) => e.renderMessage())).toEqual([
      'Clicked Buy',
      'Cart of 20',
      'Paid at 12:30',
      'Login with hunter2',
    ]);
    expect((clientOf(plain.events[0]).Note as string).length).toBeLessThan(300);
    // A policy that changes a value still replaces the message, under the same limits.
    const redacting = await startIngest([{ keys: /password/i }], undefined, limited);
    await post(redacting.url, lines);
    expect(redacting.events.map((e) => e.renderMessage())).toEqual(['Clicked Buy', 'Cart of 20', 'Paid at 12:30', '[Redacted]']);
  });
});
