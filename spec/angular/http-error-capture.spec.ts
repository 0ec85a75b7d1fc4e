import { testInjector, within } from './test-injector'; // first: loads Angular's JIT compiler
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpErrorResponse, HttpHeaders } from '@angular/common/http';
import { CompactJsonFormatter, LoggerConfiguration, MemorySink, type LogEvent } from '../../lib/index';
import { injectLogger, provideRxlog } from '../../lib/angular/index';

const TOKEN = 'Bearer eyJhbGciOiJIUzI1NiJ9.SECRET-TOKEN';
const QUERY_VALUE = 'sk_live_QUERY';
const BODY = 'BODY-' + 'x'.repeat(60_000);

/** An HttpErrorResponse as HttpClient makes one for a failed request that carried an Authorization header. */
function failedResponse(): HttpErrorResponse {
  const response = new HttpErrorResponse({
    url: `https://api.example.com/orders?apiKey=${QUERY_VALUE}&page=2`,
    status: 500,
    statusText: 'Internal Server Error',
    headers: new HttpHeaders({ Authorization: TOKEN, 'X-Trace': 'abc' }),
    error: { detail: BODY },
  });
  // HttpHeaders fill their map when first read (as an interceptor or the app reads them): the token is then data.
  response.headers.keys();
  return response;
}

/** What provideRxlog's logger writes of an event, properties and exception, as one CLEF line. */
function clef(event: LogEvent): string {
  return new CompactJsonFormatter().format(event);
}

/** Logs through provideRxlog's logger, and returns the events and their CLEF lines. */
function logged(log: (logger: ReturnType<typeof injectLogger>) => void): { events: LogEvent[]; lines: string[] } {
  const memory = new MemorySink();
  const injector = testInjector([provideRxlog((c) => c.writeTo.sink(memory))]);
  within(injector, () => log(injectLogger()));
  injector.destroy();
  return { events: memory.events, lines: memory.events.map(clef) };
}

function assertNoSecrets(line: string): void {
  assert.ok(!line.includes('SECRET-TOKEN'), `the Authorization header stays out: ${line.slice(0, 400)}`);
  assert.ok(!line.includes(QUERY_VALUE), `the query value stays out: ${line.slice(0, 400)}`);
  assert.ok(!line.includes('BODY-'), `the response body stays out: ${line.slice(0, 400)}`);
  assert.ok(!line.includes('X-Trace'), `no header is written: ${line.slice(0, 400)}`);
}

/** The HttpErrorResponse as provideRxlog's logger captures it. */
const CAPTURED = {
  name: 'HttpErrorResponse',
  message: 'Http failure response for https://api.example.com/orders?apiKey=***&page=***: 500 Internal Server Error',
  status: 500,
  statusText: 'Internal Server Error',
  url: 'https://api.example.com/orders?apiKey=***&page=***',
};

void describe('provideRxlog: an HttpErrorResponse captured as a value', () => {
  void it('writes {@Response} and {Response} as its status and redacted URL, without headers, query values or body', () => {
    const { events, lines } = logged((log) => {
      log.error('Request failed {@Response}', failedResponse());
      log.warning('Request failed {Response}', failedResponse());
    });
    assert.deepEqual(
      events.map((e) => e.properties.Response),
      [CAPTURED, CAPTURED],
    );
    lines.forEach(assertNoSecrets);
  });

  void it('writes log.error({ response }) without headers, query values or body', () => {
    const { lines } = logged((log) => log.error({ response: failedResponse() }, 'Loading orders failed'));
    assert.equal(lines.length, 1);
    // A thrown object that is no Error is the exception, its data as JSON.
    const exception = (JSON.parse(lines[0]) as { '@x': string })['@x'];
    assert.deepEqual(JSON.parse(exception.replace(/^ThrownValueError: /, '')), { response: CAPTURED });
    assertNoSecrets(lines[0]);
  });

  void it('writes one nested inside AggregateErrors and plain objects the same way', () => {
    const nested = new AggregateError([new AggregateError([failedResponse()], 'inner')], 'outer');
    const { events, lines } = logged((log) =>
      log.error('All failed {@Failure} {@State}', nested, { last: { response: failedResponse() } }),
    );
    const failure = events[0].properties.Failure as { errors: { errors: unknown[] }[] };
    assert.deepEqual(failure.errors[0].errors[0], CAPTURED);
    assert.deepEqual(events[0].properties.State, { last: { response: CAPTURED } });
    assertNoSecrets(lines[0]);
  });

  void it('leaves the transform to the configuration provideRxlog builds: a logger made outside it captures the response raw', () => {
    // What the transform keeps out is there to keep out: the response does hold the token and body.
    const memory = new MemorySink();
    const plain = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    plain.error('Request failed {@Response}', failedResponse());
    const line = clef(memory.events[0]);
    assert.ok(line.includes('SECRET-TOKEN') && line.includes(QUERY_VALUE) && line.includes('BODY-'));
  });
});
