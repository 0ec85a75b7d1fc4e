import { EventEmitter } from 'node:events';
import { awaitSyslogConnect } from '../../../lib/node/syslog/syslog-connect';

function options(overrides: { closed?: boolean } = {}) {
  const calls: string[] = [];
  return {
    calls,
    timeoutMs: 1_000,
    where: '127.0.0.1:514',
    isClosed: () => overrides.closed === true,
    adopt: () => void calls.push('adopt'),
    dispose: () => void calls.push('dispose'),
  };
}

describe('awaitSyslogConnect', () => {
  afterEach(() => jest.useRealTimers());

  it('adopts the socket inside the connect event, then resolves with it', async () => {
    const socket = new EventEmitter();
    const opts = options();
    const connected = awaitSyslogConnect(socket, opts);
    socket.emit('connect');
    expect(opts.calls).toEqual(['adopt']);
    await expect(connected).resolves.toBe(socket);
  });

  it('disposes the socket and rejects on an error before connecting', async () => {
    const socket = new EventEmitter();
    const opts = options();
    const connected = awaitSyslogConnect(socket, opts);
    socket.emit('error', new Error('ECONNREFUSED'));
    await expect(connected).rejects.toThrow('ECONNREFUSED');
    expect(opts.calls).toEqual(['dispose']);
  });

  it('disposes the socket and rejects when the timeout passes first', async () => {
    jest.useFakeTimers();
    const socket = new EventEmitter();
    const opts = options();
    const connected = awaitSyslogConnect(socket, opts);
    jest.advanceTimersByTime(1_000);
    await expect(connected).rejects.toThrow('SyslogSink: connecting to 127.0.0.1:514 timed out after 1000 ms');
    expect(opts.calls).toEqual(['dispose']);
  });

  it('rejects once when the socket closes before connecting (the sink destroyed it on close), and disposes it once', async () => {
    const socket = new EventEmitter();
    const opts = options();
    const connected = awaitSyslogConnect(socket, opts);
    socket.emit('close');
    socket.emit('error', new Error('late'));
    await expect(connected).rejects.toThrow('SyslogSink: closed');
    expect(opts.calls).toEqual(['dispose']);
  });

  it('disposes a socket that connects after the sink was closed', async () => {
    const socket = new EventEmitter();
    const opts = options({ closed: true });
    const connected = awaitSyslogConnect(socket, opts);
    socket.emit('connect');
    await expect(connected).rejects.toThrow('SyslogSink: closed');
    expect(opts.calls).toEqual(['dispose']);
  });

  // A TLS receiver refuses the sender's certificate after the sender's handshake is done (TLS 1.3),
  // with nothing sent when it accepts it: the wait for its refusal is timed here, against real rsyslogd
  // in syslog-rsyslog-tls.spec.ts.
  describe('with a settle time', () => {
    const settling = () => {
      jest.useFakeTimers();
      const socket = new EventEmitter();
      const opts = options();
      const settleMs = jest.fn((connectMs: number) => Math.max(100, connectMs));
      const connected = awaitSyslogConnect(socket, { ...opts, event: 'secureConnect', settleMs });
      return { socket, opts, settleMs, connected };
    };

    it('counts as connected only once the settle time has passed, given how long connecting took', async () => {
      const { socket, opts, settleMs, connected } = settling();
      jest.advanceTimersByTime(150);
      socket.emit('secureConnect');
      expect(settleMs).toHaveBeenCalledWith(150);
      jest.advanceTimersByTime(149);
      expect(opts.calls).toEqual([]);
      jest.advanceTimersByTime(1);
      expect(opts.calls).toEqual(['adopt']);
      await expect(connected).resolves.toBe(socket);
    });

    it('rejects, disposing the socket unadopted, when the receiver ends the connection while it settles', async () => {
      const { socket, opts, connected } = settling();
      socket.emit('secureConnect');
      jest.advanceTimersByTime(99);
      socket.emit('end');
      await expect(connected).rejects.toThrow(
        "SyslogSink: 127.0.0.1:514 closed the connection right after the handshake, before anything was written: it refuses this sender's certificate",
      );
      jest.advanceTimersByTime(1_000);
      expect(opts.calls).toEqual(['dispose']);
    });

    it("rejects with the receiver's alert when it comes while the connection settles", async () => {
      const { socket, opts, connected } = settling();
      socket.emit('secureConnect');
      jest.advanceTimersByTime(50);
      socket.emit('error', new Error('tlsv13 alert certificate required'));
      await expect(connected).rejects.toThrow('tlsv13 alert certificate required');
      jest.advanceTimersByTime(1_000);
      expect(opts.calls).toEqual(['dispose']);
    });
  });
});
