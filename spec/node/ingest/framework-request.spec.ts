import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { nodeRequest, nodeResponse } from '../../../lib/node/ingest/framework-request';

describe('nodeRequest', () => {
  const noIpFailure = (error: unknown): never => {
    throw error;
  };

  it("takes Node's request as it is, with the body a framework left on it", () => {
    const req = Object.assign(new IncomingMessage(new Socket()), { body: 'parsed by express.text()' });
    expect(nodeRequest(req, noIpFailure)).toEqual({ req, body: 'parsed by express.text()' });
  });

  it("unwraps a Fastify request: Node's request from raw, the body from the Fastify request", () => {
    const raw = new IncomingMessage(new Socket());
    expect(nodeRequest({ raw, body: { '@mt': 'parsed by Fastify' } }, noIpFailure)).toEqual({
      req: raw,
      body: { '@mt': 'parsed by Fastify' },
    });
  });
});

describe('nodeResponse', () => {
  it("takes Node's response as it is", () => {
    const res = new ServerResponse(new IncomingMessage(new Socket()));
    expect(nodeResponse(res)).toBe(res);
  });

  it('unwraps a Fastify reply and hijacks it, so Fastify leaves the answer to the handler; a hijack that throws is reported, not thrown', () => {
    const raw = new ServerResponse(new IncomingMessage(new Socket()));
    const hijacked: string[] = [];
    expect(nodeResponse({ raw, hijack: () => hijacked.push('hijacked') })).toBe(raw);
    expect(hijacked).toEqual(['hijacked']);
    expect(
      nodeResponse({
        raw,
        hijack: () => {
          throw new Error('already sent');
        },
      }),
    ).toBe(raw);
  });
});
