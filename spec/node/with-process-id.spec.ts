import { withProcessId } from '../../lib/node/with-process-id';
import { makeEvent } from '../helpers/events';

describe('withProcessId', () => {
  it('adds ProcessId, the same frozen object for every event', () => {
    const enricher = withProcessId();
    const first = enricher(makeEvent());
    expect(first).toEqual({ ProcessId: process.pid });
    expect(enricher(makeEvent())).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });
});
