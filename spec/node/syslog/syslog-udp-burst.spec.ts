import { PartialDeliveryError } from '../../../lib/core/errors/partial-delivery-error';
import { SyslogUdpTransport } from '../../../lib/node/syslog/syslog-udp-transport';
import { startUdpServer } from './syslog-test-servers';

/** Resolves once `done()` holds, checking every 10 ms, or after `waitMs` (the test's assertion then says what came). */
async function until(done: () => boolean, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}

// A batch's datagrams left in one burst: a receiver's socket buffer (Linux's default 208 KiB holds
// about 90 datagrams of 1 KB, each counted with its overhead) overflowed before it could read, and
// the kernel dropped the rest, all counted delivered. A real rsyslogd on this host (imudp, default
// buffer) got 1 403 of 2 048 events sent as four default batches of 512. The receiver here runs
// in this process, so it reads only while the sender gives the event loop a turn.
describe('SyslogUdpTransport sending a large batch', () => {
  it('paces its datagrams, so a receiver with a default socket buffer that reads between them gets every one', async () => {
    const server = await startUdpServer();
    const transport = new SyslogUdpTransport('127.0.0.1', server.port, 5_000, 10_000);
    const batch = Array.from({ length: 512 }, (_, i) => `<14>1 - - - - - - e${i} ${'x'.repeat(1_000)}`);
    try {
      await transport.send(batch);
      await until(() => server.messages.length === batch.length, 5_000);
    } finally {
      await transport.close();
      await server.close();
    }

    expect(server.messages.length).toBe(batch.length);
    expect(server.messages.map((m) => /e(\d+) /.exec(m)?.[1])).toEqual(batch.map((_, i) => String(i)));
  }, 20_000);

  // Closed between two bursts, the batch went on to send on the closed socket, and failed with
  // Node's "Not running", which said nothing of the close.
  it('stops a batch at the next burst once closed: the datagrams sent count delivered, the rest fail as closed', async () => {
    const server = await startUdpServer();
    const transport = new SyslogUdpTransport('127.0.0.1', server.port, 5_000, 10_000);
    const batch = Array.from({ length: 512 }, (_, i) => `<14>1 - - - - - - e${i}`);
    let failure: unknown;
    try {
      const sending = transport.send(batch).catch((error: unknown) => (failure = error));
      await until(() => server.messages.length > 0, 5_000);
      await transport.close();
      await sending;
    } finally {
      await server.close();
    }

    expect(failure).toBeInstanceOf(PartialDeliveryError);
    const { delivered, cause } = failure as PartialDeliveryError;
    expect(String(cause)).toContain('SyslogSink: closed');
    expect(delivered).toBeGreaterThan(0);
    expect(delivered).toBeLessThan(batch.length);
  }, 20_000);
});
