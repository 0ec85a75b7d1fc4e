import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { LoggerConfiguration } from '../../../lib/configuration/logger-configuration';
import { diagnosticContext } from '../../../lib/node/http/diagnostic-context';
import { requestLogging } from '../../../lib/node/http/request-logging';
import { MemorySink } from '../../../lib/sinks/memory-sink';
import { eventsArrive, within } from '../../helpers/node-http';

// A body read with req.on('data') / req.on('end') in a plain node:http handler: Node's parser emits
// the request's events from the connection, outside the request's context, whenever the body came
// with the headers: what the handler logged there had no RequestId, and diagnosticContext.set was lost.
describe('requestLogging and the request body events', () => {
  it('runs the request body listeners in the request context, on a fresh and on a pipelined keep-alive connection', async () => {
    const sink = new MemorySink();
    const log = new LoggerConfiguration().enrich.fromLogContext().writeTo.sink(sink).createLogger();
    const logRequests = requestLogging(log);
    const server = createServer((req, res) =>
      logRequests(req, res, () => {
        let body = '';
        req.setEncoding('utf8');
        req.on('data', (chunk: string) => (body += chunk));
        req.on('end', () => {
          log.information('Read {Body}', body);
          diagnosticContext.set('Body', body);
          res.end(body);
        });
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const socket = connect(port, '127.0.0.1');
    try {
      const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      socket.resume();
      const post = (body: string) => `POST /items HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
      socket.write(post('one') + post('two'));
      await eventsArrive(sink.events, 4);
      socket.end();
      await within('the connection closing', closed);
      const completions = sink.events.filter((e) => e.messageTemplate.text.startsWith('HTTP '));
      const reads = sink.events.filter((e) => e.messageTemplate.text === 'Read {Body}');
      expect(reads.map((e) => [e.properties.Body, e.properties.RequestId])).toEqual(
        completions.map((e) => [e.properties.Body, e.properties.RequestId]),
      );
      expect(completions.map((e) => e.properties.Body)).toEqual(['one', 'two']);
      expect(new Set(completions.map((e) => e.properties.RequestId)).size).toBe(2);
    } finally {
      socket.destroy();
      server.close();
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
    }
  });
});
