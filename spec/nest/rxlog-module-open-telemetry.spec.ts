import { fixtureOutcomes } from './fixtures/run-nest-app';

/** What the fixture prints of an exported log record. */
interface ExportedRecord {
  body: string;
  scope: string;
  severityText: string;
  spanId?: string;
  traceId?: string;
  requestId?: string;
  exceptionType?: string;
}

// The setup docs/nestjs.md shows under OpenTelemetry, in a real Nest 12 app with the real SDK (a child
// process: Nest 12 ships ES modules only). The fixture opens each request's server span as
// @opentelemetry/instrumentation-http does (not installed here).
describe.each(['express', 'fastify'])('RxlogModule with the OpenTelemetry SDK on %s', (platform) => {
  let records: ExportedRecord[];
  let spans: Record<string, string>;

  beforeAll(async () => {
    ({ records, spans } = await fixtureOutcomes<{ records: ExportedRecord[]; spans: Record<string, string> }>(
      'nest-otel-app.ts',
      [platform],
    ));
  }, 120_000);

  it("gives every record of a request, its completion's too, the request's server span as its trace context", () => {
    const completions = records.filter((r) => r.scope === 'RequestLogging');
    expect(completions.map((r) => r.body.replace(/ in [\d.]+ ms$/, ''))).toEqual([
      'HTTP GET /orders/7 responded 200',
      'HTTP GET /ticks responded 200',
      'HTTP GET /denied responded 403',
      'HTTP GET /broken responded 500',
      'HTTP GET /missing responded 404',
    ]);
    for (const completion of completions) {
      const path = /^HTTP GET (\S+)/.exec(completion.body)?.[1] ?? '';
      const ofRequest = records.filter((r) => r.requestId === completion.requestId);
      expect([path, ofRequest.map((r) => r.spanId)]).toEqual([path, ofRequest.map(() => spans[path])]);
      expect(completion.traceId).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(records.filter((r) => r.scope === 'Orders').map((r) => [r.body, r.spanId])).toEqual([
      ['Loaded order 7', spans['/orders/7']],
      ['Ticked', spans['/ticks']],
    ]);
    // The unknown error is on its completion record, once: no ExceptionsHandler record beside it.
    expect(records.filter((r) => r.exceptionType !== undefined).map((r) => r.body)).toEqual([
      expect.stringMatching(/^HTTP GET \/broken responded 500/),
    ]);
  });

  it('gives records logged outside a request no trace context', () => {
    const outside = records.filter((r) => r.requestId === undefined);
    expect(outside.length).toBeGreaterThan(3);
    expect(outside.map((r) => r.spanId)).toEqual(outside.map(() => undefined));
    expect(outside[0]).toMatchObject({ body: 'Starting Nest application...', scope: 'NestFactory' });
  });

  it('exports what a shutdown hook logs: the logger closes last, and its close flushes the LoggerProvider', () => {
    expect(records[records.length - 1]).toMatchObject({ body: 'Pool drained', scope: 'rxlog' });
  });
});
