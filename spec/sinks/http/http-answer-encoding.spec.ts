import { brotliCompressSync, createGzip, deflateSync, gzipSync } from 'node:zlib';
import { HttpSink } from '../../../lib/sinks/http/http-sink';
import { HttpStatusError } from '../../../lib/sinks/http/http-status-error';
import { LokiSink } from '../../../lib/sinks/http/loki-sink';
import { TextFormatter } from '../../../lib/formatting/text-formatter';
import { makeEvent } from '../../helpers/events';
import { startTestServer } from '../../helpers/http-test-server';
import { answeringServer } from '../../helpers/http-answers';

/**
 * What Node's global fetch (undici) does with answers a server, a proxy or a gateway in front of
 * Loki or Seq may give, through the HTTP sinks: real servers on 127.0.0.1 (stand-ins, no Loki or
 * Seq runs here).
 */
describe('HTTP sinks and the answers Node’s fetch gets', () => {
  const answering = answeringServer();
  afterEach(() => answering.close());
  /** A server on 127.0.0.1 that answers every request, once its body has come, with `answer`. */
  const start = answering.start;

  const sinks = [
    ['HttpSink', (url: string) => new HttpSink({ url })],
    ['LokiSink', (url: string) => new LokiSink({ url })],
  ] as const;

  it.each(sinks)(
    'follows no redirect, 301, 303 or 308 (%s): the batch fails for the sink, the target is never called',
    async (_, make) => {
      const elsewhere = await startTestServer();
      try {
        for (const status of [301, 303, 308]) {
          const url = await start((response) => response.writeHead(status, { Location: `${elsewhere.url}/x` }).end());
          await expect(make(url).emit([makeEvent()])).rejects.toMatchObject({ status, permanent: 'sink' });
        }
        expect(elsewhere.requests).toHaveLength(0);
      } finally {
        await elsewhere.close();
      }
    },
  );

  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ] as const)('reads an answer in Content-Encoding %s decoded: the error shows its text', async (encoding, encode) => {
    const url = await start((response) =>
      response.writeHead(500, { 'Content-Encoding': encoding }).end(encode(Buffer.from('down for maintenance'))),
    );
    await expect(new HttpSink({ url }).emit([makeEvent()])).rejects.toThrow(
      /answered 500 Internal Server Error: down for maintenance$/,
    );
  });

  it("reads Loki's count of ignored entries in a gzip answer (a gateway's), so the other entries count delivered", async () => {
    const count =
      "entry with timestamp 2023-11-14 22:13:20 +0000 UTC ignored, reason: 'entry out of order',\nuser 'fake', total ignored: 1 out of 2 for stream: {level=\"info\"}\n";
    const url = await start((response) =>
      response.writeHead(400, { 'Content-Encoding': 'gzip', 'Content-Type': 'text/plain; charset=utf-8' }).end(gzipSync(count)),
    );
    const sink = new LokiSink({ url, formatter: new TextFormatter('{Message}') });
    await expect(sink.emit([makeEvent({ text: 'a' }), makeEvent({ text: 'b' })])).resolves.toEqual({ rejected: 1 });
  });

  it('follows the status of an answer whose body is not in the encoding it names: a 200 is delivered, a 503 keeps its Retry-After', async () => {
    let url = await start((response) => response.writeHead(200, { 'Content-Encoding': 'gzip' }).end('not gzip'));
    await expect(new HttpSink({ url }).emit([makeEvent()])).resolves.toBeUndefined();
    url = await start((response) => response.writeHead(503, { 'Content-Encoding': 'gzip', 'Retry-After': '7' }).end('not gzip'));
    const failure = new LokiSink({ url }).emit([makeEvent()]);
    await expect(failure).rejects.toBeInstanceOf(HttpStatusError);
    await expect(failure).rejects.toMatchObject({ status: 503, retryAfterMs: 7_000, permanent: false });
  });

  it('counts a 200 whose gzip body inflates without end delivered, inflating only its start', async () => {
    let written = 0;
    const url = await start((response) => {
      response.writeHead(200, { 'Content-Encoding': 'gzip' });
      const gzip = createGzip();
      gzip.pipe(response);
      const zeros = Buffer.alloc(1024 * 1024);
      // Up to 4 GiB of zeros (about 4 MiB on the wire), unless the client goes away first.
      const pump = (): void => {
        while (written < 4_096 && !response.destroyed) {
          written++;
          if (!gzip.write(zeros)) return void gzip.once('drain', pump);
        }
        gzip.end();
      };
      pump();
    });
    const sink = new HttpSink({ url });
    await expect(sink.emit([makeEvent()])).resolves.toBeUndefined();
    expect(sink.bytesWritten).toBeGreaterThan(0);
    expect(written).toBeLessThan(256);
  }, 20_000);
});
