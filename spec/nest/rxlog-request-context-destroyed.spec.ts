import { createServer } from 'node:http';
import { requestLoggingSettings } from '../../lib/nest/request-logging-settings';
import { RxlogRequestContext } from '../../lib/nest/rxlog-request-context';
import { eventsArrive, listen, memoryLogger } from '../helpers/node-http';

// Found by review: as requestLogging, a response the server destroyed before sending anything is
// logged with StatusCode 500 (its client got no status); RxlogRequestContext reported Node's
// default 200: "HTTP GET /cut-first responded 200" at error.
describe('RxlogRequestContext with a response the server destroys before sending anything', () => {
  it('logs StatusCode 500, not the 200 no client received', async () => {
    const { log, events } = memoryLogger();
    const requests = new RxlogRequestContext(log, requestLoggingSettings({}));
    const server = await listen(createServer((req, res) => requests.run(req, res, () => setImmediate(() => res.destroy()))));
    try {
      await expect(fetch(`${server.url}/cut-first`).then((response) => response.text())).rejects.toThrow();
      await eventsArrive(events, 1);
      expect(events.map((e) => [e.level, e.properties.StatusCode, e.exception?.name])).toEqual([
        ['error', 500, 'ResponseDestroyed'],
      ]);
    } finally {
      await server.close();
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
    }
  });
});
