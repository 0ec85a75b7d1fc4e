import { createServer, type Socket } from 'node:net';
import { SyslogStreamTransport } from '../../../lib/node/syslog/syslog-stream-transport';
import { fakeDateOnly } from '../../helpers/fake-date';
import { collectSelfLog } from '../../helpers/self-log';

/** Resolves once `done()` holds, checking once a turn of the event loop, at most `turns` times. */
async function turnsUntil(done: () => boolean, turns: number, what: string): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (done()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`not within ${turns} turns: ${what}`);
}

// A reset soon after a batch has the batches written in the second before it sent again ahead of
// the next one. A batch sent again is itself among those written to the new connection: a receiver
// that resets each connection soon after a batch (a remote one, its reset a round trip late, that
// fails on what it reads) had every batch since the first written again each time, the text of
// one send growing without bound (quadratic bytes on the wire), where at most 1 MiB was meant.
describe('SyslogStreamTransport sending again after resets', () => {
  afterEach(() => jest.useRealTimers());

  it('sends again at most 1 MiB of earlier batches, however many resets follow each other', async () => {
    const accepted: Socket[] = [];
    const server = createServer((socket) => {
      accepted.push(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    // The clock stands still: every reset comes within the second, however slow the host.
    fakeDateOnly();
    const transport = new SyslogStreamTransport({ host: '127.0.0.1', port }, 'octet-counting', 5_000, 10_000);
    const selfLog = collectSelfLog();
    /** Each send's bytes, framing included, and each batch's own. */
    const sent: number[] = [];
    const framed: number[] = [];
    const rounds = 16;
    try {
      // Batches of 100 messages of 1 000 characters, 100 KB each: 16 of them are 1.6 MB.
      for (let round = 0; round < rounds; round++) {
        const batch = Array.from({ length: 100 }, (_, i) => `<14>1 - - - - - - r${round} m${i} ${'x'.repeat(980)}`);
        framed.push(batch.reduce((sum, message) => sum + `${message.length} ${message}`.length, 0));
        sent.push(await transport.send(batch));
        await turnsUntil(() => accepted.length === round + 1, 10_000, 'the receiver accepted the connection');
        // The reset comes after the batch was counted delivered, as from another host.
        accepted[round].resetAndDestroy();
        await turnsUntil(
          () => selfLog.diagnostics.filter((d) => d.message.includes('failed; the')).length === round + 1,
          10_000,
          'the sink read the reset',
        );
      }
    } finally {
      selfLog.stop();
      await transport.close();
      for (const socket of accepted) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }

    // What a reset came after is sent again: the batch, then the batch and the one it carried.
    expect(sent.slice(0, 3)).toEqual([framed[0], framed[0] + framed[1], framed[0] + framed[1] + framed[2]]);
    // Each send: its own batch, and at most 1 MiB of earlier ones (whole batches, the newest).
    const largest = Math.max(...framed);
    expect(Math.max(...sent)).toBeLessThanOrEqual((1 << 20) + 2 * largest);
    expect(sent[rounds - 1]).toBeGreaterThan(1 << 20);
    const counts = selfLog.diagnostics
      .filter((d) => d.message.includes('failed; the'))
      .map((d) => Number(/the (\d+) message\(s\)/.exec(d.message)?.[1]));
    expect(counts.slice(0, 2)).toEqual([100, 200]);
    expect(Math.max(...counts)).toBeLessThanOrEqual(((1 << 20) + largest) / 1_000 + 100);
  }, 60_000);
});
