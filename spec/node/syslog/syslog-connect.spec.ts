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
});
