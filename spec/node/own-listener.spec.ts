import { EventEmitter } from 'node:events';
import { ownListener } from '../../lib/node/own-listener';

describe('ownListener', () => {
  it('raises the limit by one while the listener is on, and lowers it once however often it is taken off', () => {
    const emitter = new EventEmitter();
    const heard: unknown[] = [];
    const stop = ownListener(emitter, 'error', (error: unknown) => heard.push(error));
    expect(emitter.getMaxListeners()).toBe(11);
    emitter.emit('error', 'boom');
    stop();
    stop();
    expect(heard).toEqual(['boom']);
    expect(emitter.listenerCount('error')).toBe(0);
    expect(emitter.getMaxListeners()).toBe(10);
  });

  it('leaves a limit of 0 (no limit) alone, and adds to an emitter without limit methods', () => {
    const unlimited = new EventEmitter().setMaxListeners(0);
    ownListener(unlimited, 'close', () => undefined)();
    expect(unlimited.getMaxListeners()).toBe(0);
    const listeners: Array<() => void> = [];
    const bare = {
      on: (_event: string, listener: () => void) => listeners.push(listener),
      off: (_event: string, listener: () => void) => listeners.splice(listeners.indexOf(listener), 1),
    };
    const stop = ownListener(bare as never, 'close', () => undefined);
    expect(listeners).toHaveLength(1);
    stop();
    expect(listeners).toHaveLength(0);
  });
});
