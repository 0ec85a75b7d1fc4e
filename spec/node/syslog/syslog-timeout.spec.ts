import { syslogTimeout } from '../../../lib/node/syslog/syslog-timeout';

describe('syslogTimeout', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('settles as the promise does when it settles in time', async () => {
    await expect(syslogTimeout(Promise.resolve(7), 100, 'writing')).resolves.toBe(7);
    await expect(syslogTimeout(Promise.reject(new Error('EPIPE')), 100, 'writing')).rejects.toThrow('EPIPE');
  });

  it('rejects naming what timed out once timeoutMs passes', async () => {
    const result = syslogTimeout(new Promise<never>(() => undefined), 100, 'writing to tcp://h:1');
    const assertion = expect(result).rejects.toThrow('SyslogSink: writing to tcp://h:1 timed out after 100 ms');
    jest.advanceTimersByTime(99);
    jest.advanceTimersByTime(1);
    await assertion;
  });

  it('clears its timer when the promise settles first', async () => {
    await syslogTimeout(Promise.resolve(1), 100, 'writing');
    expect(jest.getTimerCount()).toBe(0);
  });
});
