import { from, lastValueFrom, toArray } from 'rxjs';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { SelfLog } from '../../lib/core/self-log';
import type { LogEvent } from '../../lib/core/log-event';
import { enrich } from '../../lib/operators/enrich';
import { filterEvents } from '../../lib/operators/filter-events';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { makeEvents } from '../helpers/events';

// An async enricher or filter returns a Promise the logger cannot wait for. Its rejection, left
// unhandled, ended a Node process (Node's default for unhandled rejections), from a log call.
// TypeScript refuses such callbacks; JavaScript callers (and `as never` here) can pass them.
// TypeScript refuses such callbacks; JavaScript callers (and `as never` here) can pass them.
describe('enrichers and filters that return a Promise', () => {
  let messages: string[];
  let subscription: { unsubscribe(): void };
  beforeEach(() => {
    messages = [];
    subscription = SelfLog.events$.subscribe((d) => messages.push(d.message));
  });
  afterEach(() => subscription.unsubscribe());
  const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

  it('reports an async enricher and its rejection to SelfLog, and passes the event on without its properties', async () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().enrich
      .with(async function lookUpUser() {
        await Promise.resolve();
        throw new Error('user service down');
      } as never)
      .enrich.withProperty('App', 'shop')
      .writeTo.sink(memory)
      .createLogger();
    log.information('hello');
    await settle();
    expect(memory.events.map((e) => e.properties)).toEqual([{ App: 'shop' }]);
    expect(messages.some((m) => m.includes('lookUpUser') && m.includes('returned a Promise'))).toBe(true);
    expect(messages.some((m) => m.includes('lookUpUser') && m.includes('user service down'))).toBe(true);
    await log.close();
  });

  it('keeps the events an async filter was asked about, in the configuration and in the operator', async () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().filter
      .byExcluding((async () => Promise.reject(new Error('rules unavailable'))) as never)
      .filter.byIncludingOnly((async () => false) as never)
      .writeTo.sink(memory)
      .createLogger();
    log.information('kept');
    await settle();
    expect(memory.events).toHaveLength(1);
    expect(messages.filter((m) => m.includes('returned a Promise'))).toHaveLength(2);
    expect(messages.some((m) => m.includes('rules unavailable'))).toBe(true);
    await log.close();

    const async = async (_: LogEvent): Promise<boolean> => Promise.resolve(false);
    const through = await lastValueFrom(from(makeEvents(2)).pipe(filterEvents(async as never), toArray()));
    expect(through).toHaveLength(2);
  });

  it('treats an async enricher in a sink pipe the same way', async () => {
    const events = await lastValueFrom(
      from(makeEvents(1)).pipe(enrich((async () => Promise.reject(new Error('late'))) as never), toArray()),
    );
    await settle();
    expect(events).toHaveLength(1);
    expect(messages.some((m) => m.includes('late'))).toBe(true);
  });
});
