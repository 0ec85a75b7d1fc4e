import { createServer } from 'node:http';
import { diagnosticContext } from '../../../lib/node/http/diagnostic-context';
import { requestLogging } from '../../../lib/node/http/request-logging';
import { MAX_BOUND_PROPERTIES } from '../../../lib/pipeline/bound-properties';
import { eventsArrive, get, listen, memoryLogger } from '../../helpers/node-http';
import { collectSelfLog } from '../../helpers/self-log';

// A long-lived request (a server-sent event stream, a long poll) that sets a new name for every
// message it handles kept every one of them until it ended, though its completion event can carry
// only MAX_BOUND_PROPERTIES properties: memory grew for as long as the request lived.
describe('diagnosticContext bound', () => {
  it('keeps at most MAX_BOUND_PROPERTIES names per request, replaces known ones, and tells SelfLog once', () => {
    const selfLog = collectSelfLog();
    const collected = diagnosticContext.run((collector) => {
      for (let i = 0; i < MAX_BOUND_PROPERTIES + 5000; i++) diagnosticContext.set(`Message${i}`, i);
      diagnosticContext.set('Message0', 'replaced');
      return collector.complete();
    });
    selfLog.stop();
    expect(Object.keys(collected)).toHaveLength(MAX_BOUND_PROPERTIES);
    expect(collected.Message0).toBe('replaced');
    expect(collected[`Message${MAX_BOUND_PROPERTIES - 1}`]).toBe(MAX_BOUND_PROPERTIES - 1);
    expect(Object.hasOwn(collected, `Message${MAX_BOUND_PROPERTIES}`)).toBe(false);
    const told = selfLog.diagnostics.filter((d) => /diagnosticContext/.test(d.message));
    expect(told).toHaveLength(1);
    expect(told[0].message).toMatch(/1000/);
  });

  it('gives the completion event the same first names as before', async () => {
    const { log, events } = memoryLogger();
    const logRequests = requestLogging(log);
    const server = createServer((req, res) =>
      logRequests(req, res, () => {
        for (let i = 0; i < MAX_BOUND_PROPERTIES + 100; i++) diagnosticContext.set(`Message${i}`, i);
        res.end('ok');
      }),
    );
    const { url, close } = await listen(server);
    try {
      await get(`${url}/stream`);
      await eventsArrive(events, 1);
      const [event] = events;
      expect(event.properties.Message0).toBe(0);
      expect(event.properties.RequestPath).toBe('/stream');
      expect(Object.hasOwn(event.properties, `Message${MAX_BOUND_PROPERTIES}`)).toBe(false);
    } finally {
      await close();
    }
  });
});
