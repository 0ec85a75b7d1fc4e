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

describe('requestLogging RoutePattern with Express mount paths and routes that pass on', () => {
  async function patterns(app: express.Express, paths: string[], withErrorHandler = true): Promise<unknown[][]> {
    const { log, events } = memoryLogger();
    const logRequests = requestLogging(log);
    const outer = express();
    outer.use(logRequests);
    outer.use(app);
    if (withErrorHandler) outer.use(logRequests.errorHandler);
    const server = await listen(createServer(outer));
    try {
      for (const path of paths) await get(server.url + path);
      await eventsArrive(events, paths.length);
      return events.map((e) => [e.properties.RequestPath, e.properties.StatusCode, e.properties.RoutePattern]);
    } finally {
      await server.close();
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
    }
  }

  it('gives the pattern of a router mounted on a path with parameters, not the values it matched', async () => {
    const app = express();
    const posts = express.Router();
    const merged = express.Router({ mergeParams: true });
    const orgs = express.Router();
    const teams = express.Router({ mergeParams: true });
    const sub = express();
    posts.get('/posts/:postId', (_req: Request, res: Response) => res.send('post'));
    merged.get('/posts/:postId', (req: Request, res: Response) => res.send(String(req.params.id)));
    teams.get('/members/:member', (_req: Request, res: Response) => res.send('member'));
    teams.get('/fails', () => {
      throw new Error('fails');
    });
    orgs.use('/teams/:team', teams);
    sub.get('/settings', (_req: Request, res: Response) => res.send('settings'));
    app.use('/users/:id', posts);
    app.use('/merged/:id', merged);
    app.use('/orgs/:org', orgs);
    app.use(['/a/:x', '/b/:y'], sub);
    app.use(/^\/re\/(\d+)/, posts);
    expect(
      await patterns(app, [
        '/users/42/posts/7',
        '/merged/43/posts/8',
        '/orgs/acme/teams/blue/members/9',
        '/orgs/acme/teams/red/fails',
        '/b/2/settings',
        '/re/5/posts/6',
      ]),
    ).toEqual([
      ['/users/42/posts/7', 200, '/users/:id/posts/:postId'],
      ['/merged/43/posts/8', 200, '/merged/:id/posts/:postId'],
      ['/orgs/acme/teams/blue/members/9', 200, '/orgs/:org/teams/:team/members/:member'],
      ['/orgs/acme/teams/red/fails', 500, '/orgs/:org/teams/:team/fails'],
      ['/b/2/settings', 200, '/b/:y/settings'],
      // A regular expression has no pattern to name: the path it matched stands for it.
      ['/re/5/posts/6', 200, '/re/5/posts/:postId'],
    ]);
  });

  it('names no route on the answer of a handler after a route that passed the request on with next()', async () => {
    const app = express();
    const items = express.Router();
    const pass = (_req: Request, _res: Response, next: NextFunction) => next();
    app.get('/maybe/:id', pass);
    app.get('/twice/:id', pass);
    app.get('/twice/:name', (_req: Request, res: Response) => res.send('second'));
    items.get('/:item', pass);
    items.get('/gone/:item', (_req: Request, _res: Response, next: NextFunction) =>
      next(Object.assign(new Error('gone'), { status: 404 })),
    );
    app.use('/items', items);
    app.get('/custom/:id', pass);
    app.use('/custom', (_req: Request, res: Response) => res.status(404).send('no such thing'));
    app.get('/then/:id', (_req: Request, res: Response, next: NextFunction) => {
      res.send('answered');
      next();
    });
    app.use('/then', (_req: Request, _res: Response, next: NextFunction) => next());
    const expected = [
      ['/maybe/1', 404, undefined],
      ['/twice/2', 200, '/twice/:name'],
      ['/items/3', 404, undefined],
      // A route that answers with its error keeps its pattern, with or without errorHandler.
      ['/items/gone/4', 404, '/items/gone/:item'],
      ['/custom/5', 404, undefined],
      // A route that answered, then passed on, answered.
      ['/then/6', 200, '/then/:id'],
    ];
    const paths = expected.map(([path]) => path as string);
    expect(await patterns(app, paths)).toEqual(expected);
    expect(await patterns(app, paths, false)).toEqual(expected);
  });
});
