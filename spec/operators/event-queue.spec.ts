import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { SelfLog, type SelfLogEvent } from '../../lib/core/self-log';
import { EventQueue } from '../../lib/operators/event-queue';
import { estimateEventBytes } from '../../lib/operators/event-size';
import { makeEvent, makeEvents } from '../helpers/events';

function numbers(events: readonly { properties: Readonly<Record<string, unknown>> }[]): unknown[] {
  return events.map((event) => event.properties.N);
}

describe('EventQueue', () => {
  let diagnostics: SelfLogEvent[];
  let subscription: { unsubscribe(): void };
  beforeEach(() => {
    diagnostics = [];
    subscription = SelfLog.events$.subscribe((event) => diagnostics.push(event));
  });
  afterEach(() => subscription.unsubscribe());

  it('bounds the bytes it holds of events whose template text is built from data, by cutting the template too', () => {
    const queue = new EventQueue({ maxEventBytes: 1_024, limitBytes: 64 * 1024 });
    const body = 'x'.repeat(1_000_000);
    for (let n = 0; n < 100; n++) queue.push(makeEvent({ text: `Response ${n}: ${body}` }));
    const held = queue.clear();
    // 64 events of a MiB each (64 MiB) were held while the queue counted 64 KiB.
    const bytes = held.reduce((sum, event) => sum + estimateEventBytes(event), 0);
    expect(bytes).toBeLessThanOrEqual(64 * 1024);
    expect(held.every((event) => event.messageTemplate.text.length <= 1_024)).toBe(true);
    expect(held.at(-1)?.messageTemplate.text).toMatch(/^Response 99: x+…\[truncated \d+ chars\]$/);
  });

  it('hands events back in order with their enqueue times', () => {
    const queue = new EventQueue();
    const events = makeEvents(5);
    events.forEach((event, i) => queue.push(event, 100 + i));
    expect(queue.depth).toBe(5);
    expect(queue.headEnqueuedAt).toBe(100);
    expect(queue.shift()).toBe(events[0]);
    expect(queue.shiftedEnqueuedAt).toBe(100);
    const times: number[] = [];
    expect(queue.take(3, times)).toEqual(events.slice(1, 4));
    expect(times).toEqual([101, 102, 103]);
    expect(queue.clear()).toEqual([events[4]]);
    expect(queue.depth).toBe(0);
    expect(queue.bytes).toBe(0);
    expect(queue.shift()).toBeUndefined();
  });

  it("removes the events at the positions given, keeping the rest in order with their times, across the ring's end", () => {
    const queue = new EventQueue({ limit: 4 });
    const events = makeEvents(6);
    // Wrapped: the head is at slot 2 of 4 once two have left.
    events.slice(0, 4).forEach((event, i) => queue.push(event, 100 + i));
    queue.take(2);
    events.slice(4).forEach((event, i) => queue.push(event, 104 + i));
    const bytes = queue.bytes;
    queue.remove(new Set([1, 2, 7]));
    expect(queue.depth).toBe(2);
    expect(queue.bytes).toBeCloseTo(bytes - estimateEventBytes(events[3]) - estimateEventBytes(events[4]));
    const times: number[] = [];
    expect(queue.clear(times)).toEqual([events[2], events[5]]);
    expect(times).toEqual([102, 105]);
    queue.push(events[0]);
    queue.remove(new Set([0]));
    expect(queue.depth).toBe(0);
    expect(queue.bytes).toBe(0);
    expect(queue.shift()).toBeUndefined();
  });

  it('gives back the slots a burst allocated once it drains, and keeps order', () => {
    const queue = new EventQueue({ limit: 50_000 });
    expect(queue.capacity).toBe(1024);
    const events = makeEvents(20_000);
    events.forEach((event, i) => queue.push(event, i));
    expect(queue.capacity).toBe(32_768); // 1024 doubled as the burst filled it (its limit is 50 000)
    const out: unknown[] = [];
    while (queue.depth > 1) out.push(...queue.take(Math.min(512, queue.depth - 1)));
    expect(queue.capacity).toBe(32_768); // a drain copies nothing while events are left
    out.push(queue.shift());
    expect(queue.capacity).toBe(1024);
    expect(out).toEqual(events);
    events.slice(0, 1500).forEach((event, i) => queue.push(event, i));
    expect(queue.capacity).toBe(2048);
    expect(queue.clear()).toEqual(events.slice(0, 1500));
    expect(queue.capacity).toBe(1024);
  });

  it('goes back to a limit below 1024 slots, and to 1024 when the limit is not a power of two', () => {
    const small = new EventQueue({ limit: 300 });
    makeEvents(300).forEach((event, i) => small.push(event, i));
    expect(small.capacity).toBe(300);
    small.discard(300);
    expect(small.capacity).toBe(300);
    const odd = new EventQueue({ limit: 3_001 });
    makeEvents(3_001).forEach((event, i) => odd.push(event, i));
    expect(odd.capacity).toBe(3_001);
    odd.discard(3_001);
    expect(odd.capacity).toBe(1024);
  });

  it('keeps order across ring wrap-around and growth', () => {
    const queue = new EventQueue({ limit: 5_000 });
    const events = makeEvents(3_000);
    let next = 0;
    const out: unknown[] = [];
    for (const event of events) {
      queue.push(event);
      if (next++ % 3 === 0) out.push(queue.shift()?.properties.N);
    }
    out.push(...numbers(queue.clear()));
    expect(out).toEqual(events.map((_, i) => i));
  });

  it('drops the oldest on overflow by default and counts each drop', () => {
    const drops: number[] = [];
    const queue = new EventQueue({ limit: 3 }, 'q', (count) => drops.push(count));
    makeEvents(5).forEach((event) => queue.push(event));
    expect(numbers(queue.peek(10))).toEqual([2, 3, 4]);
    expect(queue.dropped).toBe(2);
    expect(drops).toEqual([1, 1]);
  });

  it('drops the arriving event with drop-newest', () => {
    const queue = new EventQueue({ limit: 3, overflow: 'drop-newest' });
    const accepted = makeEvents(5).map((event) => queue.push(event));
    expect(accepted).toEqual([true, true, true, false, false]);
    expect(numbers(queue.clear())).toEqual([0, 1, 2]);
    expect(queue.dropped).toBe(2);
  });

  it('bounds estimated bytes, dropping as many old events as needed', () => {
    const event = makeEvent({ properties: { S: 'x'.repeat(1_000) } });
    const size = estimateEventBytes(event);
    const queue = new EventQueue({ limitBytes: size * 3 + 10 });
    for (let i = 0; i < 10; i++) queue.push(event);
    expect(queue.depth).toBe(3);
    expect(queue.bytes).toBe(size * 3);
    expect(queue.dropped).toBe(7);
  });

  it('truncates an event larger than maxEventBytes instead of dropping it', () => {
    const queue = new EventQueue({ maxEventBytes: 1_000 });
    queue.push(makeEvent({ properties: { Body: 'b'.repeat(50_000) } }));
    expect(queue.dropped).toBe(0);
    expect(queue.truncated).toBe(1);
    expect(queue.bytes).toBeLessThanOrEqual(1_000);
    expect(queue.shift()?.properties.Body).toContain('…[truncated');
  });

  it('writes one back-pressure diagnostic per upward crossing of warnAt', () => {
    const queue = new EventQueue({ limit: 10, warnAt: 0.5 }, 'http');
    const warnings = (): number => diagnostics.filter((d) => d.template.includes('not keeping up')).length;
    makeEvents(9).forEach((event) => queue.push(event));
    expect(warnings()).toBe(1);
    expect(diagnostics[0].args[0]).toBe('http');
    queue.take(4);
    queue.push(makeEvent());
    expect(warnings()).toBe(1);
    queue.take(3);
    makeEvents(4).forEach((event) => queue.push(event));
    expect(warnings()).toBe(2);
  });

  it('discards only what a peek returned', () => {
    const queue = new EventQueue();
    makeEvents(4).forEach((event) => queue.push(event));
    const times: number[] = [];
    expect(numbers(queue.peek(2, times))).toEqual([0, 1]);
    expect(times).toEqual([0, 0]);
    queue.discard(2);
    expect(numbers(queue.clear())).toEqual([2, 3]);
  });

  it('rejects bad options with a ConfigurationError naming the value', () => {
    expect(() => new EventQueue({ limit: 0 })).toThrow(ConfigurationError);
    expect(() => new EventQueue({ limit: 1.5 })).toThrow(/queue.limit.*1.5/);
    expect(() => new EventQueue({ limitBytes: -1 })).toThrow(/limitBytes.*-1/);
    expect(() => new EventQueue({ overflow: 'block' as 'drop-oldest' })).toThrow(/"block"/);
    expect(() => new EventQueue({ warnAt: 1.5 })).toThrow(/warnAt.*1.5/);
    expect(() => new EventQueue({ maxEventBytes: 0 })).toThrow(/maxEventBytes/);
  });

  it.each([
    ['limitBytes', Infinity, /queue\.limitBytes.*Infinity/],
    ['limitBytes', '10', /queue\.limitBytes.*"10"/],
    ['maxEventBytes', Infinity, /queue\.maxEventBytes.*Infinity/],
    ['maxEventBytes', '1024', /queue\.maxEventBytes.*"1024"/],
    ['warnAt', '0.5', /queue\.warnAt.*"0\.5"/],
  ])('rejects %s = %p (byte bounds are finite numbers), naming the value', (option, value, message) => {
    expect(() => new EventQueue({ [option]: value })).toThrow(ConfigurationError);
    expect(() => new EventQueue({ [option]: value })).toThrow(message);
  });

  it('never throws from a failing onDrop hook', () => {
    const queue = new EventQueue({ limit: 1 }, 'q', () => {
      throw new Error('hook');
    });
    queue.push(makeEvent());
    expect(() => queue.push(makeEvent())).not.toThrow();
    expect(queue.dropped).toBe(1);
  });
});
