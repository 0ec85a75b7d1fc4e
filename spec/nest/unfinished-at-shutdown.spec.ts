import { get } from 'node:http';
import { startNestApp } from './fixtures/run-nest-app';

/** GET on a connection of its own: the status and body, or the error that ended it (the process left). */
function getOutcome(url: string): Promise<string> {
  return new Promise((resolve) => {
    get(url, { agent: false, headers: { 'x-request-id': 'hanging' }, timeout: 20_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(`${String(response.statusCode)} ${body}`));
      response.on('error', () => resolve('cut'));
    })
      .on('timeout', function (this: { destroy(): void }) {
        this.destroy();
      })
      .on('error', () => resolve('cut'));
  });
}

// A real NestJS 12 app (spec/nest/fixtures/nest-unfinished-app.ts) on 127.0.0.1, in a child
// process, whose handler never answers by itself (it is released 1.5 s or 3 s after the stop
// began, never keeping the process alive): the request gets exactly one event however the app stops.

describe.each([
  ['express', 'close', 0, '200 late', 'information HTTP GET /orders/7 responded 200 in … ms'],
  ['fastify', 'close', 0, '200 late', 'information HTTP GET /orders/7 responded 200 in … ms'],
  ['express', 'sigterm-exit', 1, 'cut', 'warning HTTP GET /orders/7 unfinished at shutdown after … ms'],
  ['fastify', 'sigterm-exit', 1, 'cut', 'warning HTTP GET /orders/7 unfinished at shutdown after … ms'],
  ['express', 'exit', 3, 'cut', 'warning HTTP GET /orders/7 unfinished at shutdown after … ms'],
  ['fastify', 'hooks', 143, 'cut', 'warning HTTP GET /orders/7 unfinished at shutdown after … ms'],
  // Answered after the logger closed: its completion writes nothing, not even an event the logger refuses.
  ['express', 'log-close', 0, '200 late', 'warning HTTP GET /orders/7 unfinished at shutdown after … ms'],
] as const)(
  'RxlogModule on %s, a request whose handler never answers when the app stops (%s)',
  (platform, stop, code, answer, event) => {
    it('writes exactly one event for it: its completion when it is answered during the close, else the unfinished one', async () => {
      const app = await startNestApp('nest-unfinished-app.ts', [platform, stop]);
      const outcome = await getOutcome(`${app.url}/orders/7`);
      const run = await app.exited();
      expect(outcome).toBe(answer);
      expect(run.code).toBe(code);
      const written = run.events.filter((e) => e.properties.RequestId === 'hanging');
      expect(written.map((e) => `${e.level} ${e.renderMessage().replace(/ \d+\.\d{4} ms$/, ' … ms')}`)).toEqual([event]);
      const properties = { RequestPath: '/orders/7', RoutePattern: '/orders/:id', CartItems: 3 };
      if (stop === 'close') expect(written[0].properties).toMatchObject({ ...properties, StatusCode: 200 });
      else {
        expect(written[0].properties).toMatchObject({ ...properties, Unfinished: true });
        expect(written[0].properties.StatusCode).toBeUndefined();
      }
      if (stop === 'log-close') expect(run.otherLines).toContain('rejected 0');
      expect(run.stderr).toBe('');
    }, 120_000);
  },
);
