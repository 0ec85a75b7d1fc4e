import { Worker } from 'node:worker_threads';
import { withThreadId } from '../../lib/node/with-thread-id';
import { makeEvent } from '../helpers/events';

describe('withThreadId', () => {
  it('adds ThreadId 0 on the main thread, the same frozen object for every event', () => {
    const enricher = withThreadId();
    const first = enricher(makeEvent());
    expect(first).toEqual({ ThreadId: 0 });
    expect(enricher(makeEvent())).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('adds the worker thread id inside a worker', async () => {
    const worker = new Worker(
      "const { parentPort, threadId } = require('node:worker_threads'); parentPort.postMessage(threadId);",
      { eval: true },
    );
    const id = await new Promise<number>((resolve) => worker.once('message', resolve));
    await worker.terminate();
    expect(id).toBeGreaterThan(0);
  });
});
