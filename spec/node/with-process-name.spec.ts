import * as path from 'node:path';
import { withProcessName } from '../../lib/node/with-process-name';
import { makeEvent } from '../helpers/events';

describe('withProcessName', () => {
  const title = process.title;

  afterEach(() => {
    process.title = title;
  });

  it('adds the process title when one was set', () => {
    process.title = 'orders-api';
    expect(withProcessName()(makeEvent())).toEqual({ ProcessName: 'orders-api' });
  });

  it("adds the script's file name when the title is node's default", () => {
    process.title = 'node';
    expect(withProcessName()(makeEvent())).toEqual({ ProcessName: path.basename(process.argv[1]) });
  });

  it('returns the same frozen object for every event', () => {
    const enricher = withProcessName();
    const first = enricher(makeEvent());
    expect(enricher(makeEvent())).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });
});
