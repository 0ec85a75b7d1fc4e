import { createServer } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { requestLogging } from '../../../lib/node/http/request-logging';
import { eventsArrive, get, listen, memoryLogger } from '../../helpers/node-http';

// Express's router puts req.baseUrl back to its parent's when an error leaves a router mounted on a
// path: read when the response ended, a route's RoutePattern lost its mount path whenever its handler
// failed (the 500s above all), `/sync` for `/api/v1/sync`, the pattern of another route of the app.
describe('requestLogging RoutePattern in Express routers', () => {
  it('keeps the mount path of a route whose handler fails, however the error reaches the app', async () => {
    const { log, events } = memoryLogger();
    const logRequests = requestLogging(log);
    const app = express();
    const api = express.Router();
    const v1 = express.Router();
    app.use(logRequests);
    v1.get('/sync/:id', () => {
      throw new Error('sync');
    });
    v1.get('/async/:id', async () => {
      await Promise.resolve();
      throw new Error('async');
    });
    v1.get('/next/:id', (_req: Request, _res: Response, next: NextFunction) =>
      next(Object.assign(new Error('gone'), { status: 410 })),
    );
    v1.get('/fine/:id', (_req: Request, res: Response) => res.send('ok'));
    api.use('/v1', v1);
    app.use('/api', api);
    app.get('/sync/:id', (_req: Request, res: Response) => res.send('the app route'));
    app.use(logRequests.errorHandler);
    const server = await listen(createServer(app));
    try {
      for (const path of ['/api/v1/sync/1', '/api/v1/async/2', '/api/v1/next/3', '/api/v1/fine/4', '/sync/5'])
        await get(server.url + path);
      await eventsArrive(events, 5);
      expect(events.map((e) => [e.properties.RequestPath, e.properties.StatusCode, e.properties.RoutePattern])).toEqual([
        ['/api/v1/sync/1', 500, '/api/v1/sync/:id'],
        ['/api/v1/async/2', 500, '/api/v1/async/:id'],
        ['/api/v1/next/3', 410, '/api/v1/next/:id'],
        ['/api/v1/fine/4', 200, '/api/v1/fine/:id'],
        ['/sync/5', 200, '/sync/:id'],
      ]);
    } finally {
      await server.close();
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
    }
  });
});
