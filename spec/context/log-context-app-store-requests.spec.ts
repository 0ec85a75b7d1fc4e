import express from 'express';
import { createServer } from 'node:http';
import { LogContext } from '../../lib/context/log-context';
import { requestLogging } from '../../lib/node/http/request-logging';
import { get, listen, memoryLogger } from '../helpers/node-http';
import { syncContextStore } from '../helpers/app-context-store';
import { collectSelfLog } from '../helpers/self-log';

describe('LogContext.run with a store of the app’s own whose run throws, on a real Express server', () => {
  it('still serves each request through requestLogging, without the request’s properties, and tells SelfLog once', async () => {
    const { log, events } = memoryLogger();
    const previous = LogContext.useStore(
      syncContextStore({
        run: () => {
          throw new Error('no active scope');
        },
      }),
    );
    const { diagnostics, stop } = collectSelfLog();
    const app = express();
    app.use(requestLogging(log));
    app.get('/orders/:id', (req, res) => {
      log.information('Loading order {OrderId}', req.params.id);
      res.json({ id: req.params.id });
    });
    const server = await listen(createServer(app));
    try {
      const answers = [await get(`${server.url}/orders/7`), await get(`${server.url}/orders/8`)];
      expect(answers.map((a) => [a.status, a.body])).toEqual([
        [200, '{"id":"7"}'],
        [200, '{"id":"8"}'],
      ]);
      expect(events.filter((e) => e.messageTemplate.text === 'Loading order {OrderId}').map((e) => e.properties.OrderId)).toEqual(
        ['7', '8'],
      );
      expect(diagnostics.filter((d) => d.message.includes("LogContext.run: the store's run() failed"))).toHaveLength(1);
    } finally {
      stop();
      await server.close();
      LogContext.useStore(previous);
      await log.close();
    }
  });
});
