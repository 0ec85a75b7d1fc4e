import { get } from 'node:http';
import { startNestApp } from './fixtures/run-nest-app';

/**
 * GET on a connection of its own that the client closes after the response (`Connection: close`):
 * the server's close() waits for a keep-alive connection whose request was in flight until the
 * client closes it (Node closes only the connections idle when close() is called).
 */
function getOnce(url: string, headers: Record<string, string>): Promise<[number | undefined, string]> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false, headers, timeout: 20_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve([response.statusCode, body]));
    })
      .on('timeout', function (this: { destroy(error: Error): void }) {
        this.destroy(new Error('no answer within 20 s'));
      })
      .on('error', reject);
  });
}

// A real NestJS 12 app (spec/nest/fixtures/nest-in-flight-app.ts) that gets SIGTERM while a request
// is in flight, in a child process on 127.0.0.1, its sink writing each batch a moment late.

describe.each(['express', 'fastify'])('RxlogModule when SIGTERM comes while a request is in flight, on %s', (platform) => {
  it('answers the request, writes it and the shutdown hook’s event, then closes the logger once, with nothing lost', async () => {
    const app = await startNestApp('nest-in-flight-app.ts', [platform]);
    const answer = await getOnce(`${app.url}/slow`, { 'x-request-id': 'slow' });
    const run = await app.exited();
    expect(answer).toEqual([200, 'done']);
    const fromRequest = run.events.slice(run.events.findIndex((e) => e.renderMessage() === 'Working'));
    expect(
      fromRequest.map((e) => [e.properties.RequestId ?? null, e.renderMessage().replace(/in [\d.]+ ms$/, 'in … ms')]),
    ).toEqual([
      ['slow', 'Working'],
      ['slow', 'Done'],
      ['slow', 'HTTP GET /slow responded 200 in … ms'],
      [null, 'Disconnected on SIGTERM'],
    ]);
    const reports = run.otherLines.filter((line) => line.includes('[RxlogModule]'));
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(
      new RegExp(
        `Logger closed \\(graceful, \\d+ ms\\): stdout: ${run.events.length} delivered, 0 dropped, 0 failed, 0 undelivered$`,
      ),
    );
    expect(run.lines[run.lines.length - 1]).toBe(reports[0]);
    expect(run.signal ?? run.code).toBe('SIGTERM');
    expect(run.stderr).toBe('');
  }, 120_000);
});
