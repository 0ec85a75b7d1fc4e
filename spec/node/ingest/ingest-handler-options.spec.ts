import type { IncomingMessage } from 'node:http';
import { ConfigurationError } from '../../../lib/core/errors/configuration-error';
import { MAX_TIMER_MS } from '../../../lib/core/max-timer-ms';
import { resolveIngestOptions } from '../../../lib/node/ingest/ingest-handler-options';

describe('resolveIngestOptions', () => {
  it('has bounded defaults for a public endpoint', () => {
    const resolved = resolveIngestOptions();
    expect(resolved).toMatchObject({
      maxBodyBytes: 1_048_576,
      maxPendingBytes: 67_108_864,
      maxEvents: 1_000,
      maxEventBytes: 32_768,
      maxProperties: 256,
      maxDepth: 10,
      maxLevel: 'error',
      bodyTimeoutMs: 300_000,
      minBodyBytesPerSecond: 240,
      bodyGracePeriodMs: 5_000,
      clientProperty: 'Client',
      origin: 'browser',
      clientAddress: undefined,
    });
    expect(resolved.rateLimit).toMatchObject({ perSecond: 5, burst: 20, maxKeys: 10_000 });
  });

  it('takes allowedOrigins as origins browsers send, and names one that could never match', () => {
    expect(resolveIngestOptions().allowedOrigins).toBeUndefined();
    expect([
      ...resolveIngestOptions({ allowedOrigins: ['https://app.example.com', 'http://localhost:4200'] }).allowedOrigins!,
    ]).toEqual(['https://app.example.com', 'http://localhost:4200']);
    for (const bad of ['https://app.example.com/', 'https://App.example.com', 'app.example.com', '*', 'null', 7]) {
      expect(() => resolveIngestOptions({ allowedOrigins: [bad as string] })).toThrow(
        new ConfigurationError(
          `createIngestHandler.allowedOrigins: expected an origin such as 'https://app.example.com' (scheme, lower-case host, port; no path), got ${typeof bad === 'string' ? JSON.stringify(bad) : `number ${bad}`}`,
        ),
      );
    }
    expect(() => resolveIngestOptions({ allowedOrigins: 'https://app.example.com' as never })).toThrow(ConfigurationError);
  });

  it('keeps maxPendingBytes at least maxBodyBytes, and names it when it is smaller', () => {
    expect(resolveIngestOptions({ maxBodyBytes: 100 * 1024 * 1024 }).maxPendingBytes).toBe(100 * 1024 * 1024);
    expect(() => resolveIngestOptions({ maxBodyBytes: 2_000, maxPendingBytes: 1_000 })).toThrow(
      new ConfigurationError('createIngestHandler.maxPendingBytes: expected at least maxBodyBytes (2000), got 1000'),
    );
  });

  it('limits by address by default, an IPv6 client by its /64 network (one subscriber holds a whole /64)', () => {
    const { rateLimit } = resolveIngestOptions();
    if (rateLimit === false) throw new Error('rate limit expected');
    const key = (remoteAddress: string | undefined): string =>
      rateLimit.key({ socket: { remoteAddress } } as unknown as IncomingMessage);
    expect(key('203.0.113.7')).toBe('203.0.113.7');
    expect(key('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(key('2001:db8:1:2::1')).toBe(key('2001:db8:1:2:ffff:ffff:ffff:ffff'));
    expect(key('2001:db8:1:2::1')).toBe(key('2001:0DB8:0001:0002:0:0:0:9'));
    expect(key('2001:db8:1:2::1')).not.toBe(key('2001:db8:1:3::1'));
    expect(key('::1')).toBe(key('::2'));
    expect(key('fe80::1%eth0')).toBe(key('fe80::2%eth0'));
    expect(key(undefined)).toBe('unknown');
    // The address the framework resolved (Express's req.ip, Fastify's request.ip) comes first.
    const proxied = { socket: { remoteAddress: '127.0.0.1' } } as unknown as IncomingMessage;
    expect(rateLimit.key(proxied, '2001:db8:1:2::7')).toBe(key('2001:db8:1:2::1'));
    expect(rateLimit.key(proxied, '203.0.113.7')).toBe('203.0.113.7');
  });

  it('accepts level aliases and turns the rate limit off with false', () => {
    expect(resolveIngestOptions({ maxLevel: 'WARN' as 'warning', rateLimit: false })).toMatchObject({
      maxLevel: 'warning',
      rateLimit: false,
    });
  });

  it.each([
    [{ maxBodyBytes: 0 }, 'maxBodyBytes'],
    [{ maxEvents: Number.NaN }, 'maxEvents'],
    [{ maxEventBytes: '1' }, 'maxEventBytes'],
    [{ maxLevel: 'loud' }, 'maxLevel'],
    [{ rateLimit: { perSecond: -1 } }, 'rateLimit.perSecond'],
    [{ rateLimit: { key: 'ip' } }, 'rateLimit.key'],
    [{ rateLimit: 5 }, 'rateLimit'],
    [{ clientProperty: '__proto__' }, 'clientProperty'],
    [{ clientAddress: 'yes' }, 'clientAddress'],
  ])('throws a ConfigurationError naming the bad option %#', (options, name) => {
    expect(() => resolveIngestOptions(options as never)).toThrow(ConfigurationError);
    expect(() => resolveIngestOptions(options as never)).toThrow(name);
  });

  // It took the place of the handler's own property (`Origin`, `TraceId`, `ClientTemplate`), and as
  // `ClientMessage` the rendered message replaced it: every client property was dropped unsaid.
  it.each([
    'ClientMessage',
    'ClientTemplate',
    'ClientTimestamp',
    'ClientLevel',
    'Origin',
    'UserAgent',
    'ClientAddress',
    'TraceId',
    'SpanId',
    'TraceFlags',
  ])('refuses clientProperty %s, a property the handler sets itself', (name) => {
    expect(() => resolveIngestOptions({ clientProperty: name })).toThrow(
      new ConfigurationError(
        `createIngestHandler.clientProperty: "${name}" is a property the handler sets itself (ClientMessage, ClientTemplate, ClientTimestamp, ClientLevel, Origin, UserAgent, ClientAddress, TraceId, SpanId, TraceFlags); choose another name`,
      ),
    );
  });

  // A misspelt limit silently meant its default: a public endpoint kept 1 MiB bodies, 5 requests a second.
  it('refuses a misspelt option, naming it', () => {
    expect(() => resolveIngestOptions({ maxBodyByte: 65_536 } as never)).toThrow(
      new ConfigurationError(
        'createIngestHandler: unknown option "maxBodyByte" (expected one of maxBodyBytes, maxPendingBytes, maxEvents, maxEventBytes, maxProperties, maxDepth, maxLevel, rateLimit, bodyTimeoutMs, minBodyBytesPerSecond, bodyGracePeriodMs, clientProperty, origin, clientAddress, allowedOrigins)',
      ),
    );
    expect(() => resolveIngestOptions({ rateLimit: { persecond: 1 } } as never)).toThrow(
      new ConfigurationError(
        'createIngestHandler.rateLimit: unknown option "persecond" (expected one of perSecond, burst, key, maxKeys)',
      ),
    );
  });

  it('refuses a bodyTimeoutMs past the longest timer delay, which would answer every request 408 after 1 ms', () => {
    expect(() => resolveIngestOptions({ bodyTimeoutMs: MAX_TIMER_MS + 1 })).toThrow(ConfigurationError);
    expect(() => resolveIngestOptions({ bodyTimeoutMs: MAX_TIMER_MS + 1 })).toThrow(
      `createIngestHandler.bodyTimeoutMs: expected milliseconds from 1 to ${MAX_TIMER_MS}, got number ${MAX_TIMER_MS + 1}`,
    );
    expect(resolveIngestOptions({ bodyTimeoutMs: MAX_TIMER_MS }).bodyTimeoutMs).toBe(MAX_TIMER_MS);
  });

  it('refuses a minBodyBytesPerSecond or bodyGracePeriodMs that is no rate or delay, naming it; 0 checks no rate', () => {
    for (const bad of [-1, Number.NaN, Infinity, '240'])
      expect(() => resolveIngestOptions({ minBodyBytesPerSecond: bad as number })).toThrow(
        new ConfigurationError(
          `createIngestHandler.minBodyBytesPerSecond: expected a number >= 0, got ${typeof bad === 'string' ? `"${bad}"` : `number ${bad}`}`,
        ),
      );
    for (const bad of [0, -5, MAX_TIMER_MS + 1, Number.NaN])
      expect(() => resolveIngestOptions({ bodyGracePeriodMs: bad })).toThrow(
        `createIngestHandler.bodyGracePeriodMs: expected milliseconds from 1 to ${MAX_TIMER_MS}, got number ${bad}`,
      );
    expect(resolveIngestOptions({ minBodyBytesPerSecond: 0, bodyGracePeriodMs: 1 })).toMatchObject({
      minBodyBytesPerSecond: 0,
      bodyGracePeriodMs: 1,
    });
  });

  it('throws a ConfigurationError, not a TypeError, for values JSON.stringify cannot write, and names their type', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    for (const options of [{ maxBodyBytes: 10n }, { rateLimit: { key: circular } }, { origin: circular }, { clientAddress: 1n }])
      expect(() => resolveIngestOptions(options as never)).toThrow(ConfigurationError);
    expect(() => resolveIngestOptions({ maxEvents: 10n } as never)).toThrow(
      'createIngestHandler.maxEvents: expected a number >= 1, got bigint 10',
    );
    expect(() => resolveIngestOptions({ rateLimit: { key: circular } } as never)).toThrow(/rateLimit.key: .*got Object$/);
  });
});
