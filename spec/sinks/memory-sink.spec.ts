import { MemorySink } from '../../lib/sinks/memory-sink';
import { makeEvents } from '../helpers/events';

describe('MemorySink', () => {
  it('keeps every event in order and forgets them on clear', () => {
    const memory = new MemorySink();
    const events = makeEvents(3);
    memory.emit(events.slice(0, 2));
    expect(memory.emitSync(events.slice(2))).toBe(true);
    expect(memory.events).toEqual(events);
    memory.clear();
    expect(memory.events).toEqual([]);
  });
});
