import * as os from 'node:os';
import { withMachineName } from '../../lib/node/with-machine-name';
import { makeEvent } from '../helpers/events';

describe('withMachineName', () => {
  it('adds MachineName, the same frozen object for every event', () => {
    const enricher = withMachineName();
    const first = enricher(makeEvent());
    expect(first).toEqual({ MachineName: os.hostname() });
    expect(enricher(makeEvent())).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });
});
