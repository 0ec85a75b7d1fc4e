import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { failed, respond } from '../../../lib/node/ingest/ingest-responses';

function response(): { res: ServerResponse; written: string[] } {
  const req = new IncomingMessage(new Socket());
  req.complete = true;
  const res = new ServerResponse(req);
  const written: string[] = [];
  const socket = new Socket();
  socket.write = (chunk: string | Buffer) => written.push(String(chunk)) > 0;
  res.assignSocket(socket);
  return { res, written };
}

describe('respond', () => {
  it('answers JSON with its length and no-store, once: a second answer is not attempted', () => {
    const { res, written } = response();
    respond(res, 200, { accepted: 1, rejected: 0 });
    respond(res, 500, { accepted: 0 });
    const text = written.join('');
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text).toMatch(/Content-Type: application\/json\r\nContent-Length: 27\r\nCache-Control: no-store/);
    expect(text).not.toContain('500');
  });
});

describe('failed', () => {
  it('answers 500 when it still can, and destroys the response when even that throws, never throwing itself', () => {
    const { res, written } = response();
    failed(res.req, res, new Error('bug'));
    expect(written.join('')).toMatch(/^HTTP\/1\.1 500 Internal Server Error\r\n/);
    const broken = response().res;
    broken.writeHead = () => {
      throw new Error('cannot write');
    };
    expect(() => failed(broken.req, broken, new Error('bug'))).not.toThrow();
    expect(broken.destroyed).toBe(true);
  });
});
