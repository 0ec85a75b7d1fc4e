import { inspect } from 'node:util';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { LogContext } from '../../lib/context/log-context';
import { StackContextStore } from '../../lib/context/stack-context-store';
import { ClefParseError } from '../../lib/core/errors/clef-parse-error';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { PartialDeliveryError } from '../../lib/core/errors/partial-delivery-error';
import { LevelSwitch } from '../../lib/core/level-switch';
import { CircuitBreaker } from '../../lib/operators/circuit-breaker';
import { ThrownValueError } from '../../lib/core/errors/thrown-value-error';
import { SelfLog } from '../../lib/core/self-log';
import { sharedState } from '../../lib/core/shared-state';
import { diagnosticContext } from '../../lib/node/http/diagnostic-context';
import { useAsyncLocalStorage } from '../../lib/node/use-async-local-storage';
import { Log } from '../../lib/pipeline/log';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { secondCopy } from '../helpers/second-copy';

// A Node app that both requires and imports rxlog loads two copies of it (the CommonJS and the ES
// module builds); jest.isolateModulesAsync loads a second copy of the modules the same way. The
// state an app reaches through either copy is one.
describe('state shared by the copies of rxlog in a process', () => {
  afterEach(() => {
    Log.logger = undefined;
    SelfLog.disable();
    LogContext.useStore(new StackContextStore());
  });

  it('makes one state per key on first use, and the same again after', () => {
    const made = sharedState('spec.counter.v1', () => ({ count: 0 }));
    made.count++;
    expect(sharedState('spec.counter.v1', () => ({ count: 100 }))).toBe(made);
    expect(made.count).toBe(1);
  });

  it('has one Log facade: a logger set through one copy takes the other copy’s calls', async () => {
    const other = await secondCopy(() => import('../../lib/pipeline/log'));
    expect(other.Log).not.toBe(Log);
    const memory = new MemorySink();
    Log.logger = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    other.Log.information('through the other copy');
    expect(other.Log.logger).toBe(Log.logger);
    await other.Log.closeAndFlush();
    expect(Log.logger).toBeUndefined();
    expect(memory.events.map((e) => e.messageTemplate.text)).toEqual(['through the other copy']);
  });

  it('has one LogContext: properties run through one copy reach the other copy’s loggers, and one store', async () => {
    const other = await secondCopy(() => import('../../lib/context/log-context'));
    expect(other.LogContext).not.toBe(LogContext);
    const memory = new MemorySink();
    const log = new LoggerConfiguration().enrich.fromLogContext().writeTo.sink(memory).createLogger();
    other.LogContext.run({ RequestId: 'r-1' }, () => log.information('inside'));
    expect(memory.events[0].properties.RequestId).toBe('r-1');
    const store = new StackContextStore();
    other.LogContext.useStore(store);
    expect(LogContext.useStore(new StackContextStore())).toBe(store);
  });

  it('keeps the properties of runs in flight when the other copy switches to AsyncLocalStorage again', async () => {
    const other = await secondCopy(async () => ({
      ...(await import('../../lib/node/use-async-local-storage')),
      ...(await import('../../lib/context/log-context')),
    }));
    const restore = useAsyncLocalStorage();
    const seen = await LogContext.run({ RequestId: 'r-2' }, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      other.useAsyncLocalStorage();
      await new Promise((resolve) => setImmediate(resolve));
      return [LogContext.current(), other.LogContext.current()];
    });
    restore();
    expect(seen).toEqual([{ RequestId: 'r-2' }, { RequestId: 'r-2' }]);
  });

  it('has one diagnosticContext: a property set through one copy reaches the collection the other opened', async () => {
    const other = await secondCopy(() => import('../../lib/node/http/diagnostic-context'));
    const collected = other.diagnosticContext.run((collector) => {
      diagnosticContext.set('UserId', 42);
      return collector.complete();
    });
    expect(collected).toEqual({ UserId: 42 });
  });

  it('has one SelfLog: an output enabled through one copy gets the other copy’s diagnostics', async () => {
    const other = await secondCopy(() => import('../../lib/core/self-log'));
    const lines: string[] = [];
    SelfLog.enable((line) => lines.push(line));
    other.SelfLog.write('from the other copy');
    const events: string[] = [];
    const subscription = other.SelfLog.events$.subscribe((e) => events.push(e.template));
    SelfLog.write('from this copy');
    subscription.unsubscribe();
    expect(lines.map((line) => line.replace(/^\S+ /, ''))).toEqual(['rxlog: from the other copy', 'rxlog: from this copy']);
    expect(events).toEqual(['from this copy']);
  });

  it.each([
    ['ConfigurationError', () => import('../../lib/core/errors/configuration-error'), ConfigurationError],
    ['ClefParseError', () => import('../../lib/core/errors/clef-parse-error'), ClefParseError],
    ['ThrownValueError', () => import('../../lib/core/errors/thrown-value-error'), ThrownValueError],
  ] as const)('has instanceof %s hold for the other copy’s errors, and not for a look-alike', async (name, load, Own) => {
    const other = (await secondCopy(load as () => Promise<unknown>)) as Record<string, new (...args: string[]) => Error>;
    const error = new other[name]('bad', 'line');
    expect(error).toBeInstanceOf(Own);
    expect(Object.assign(new Error('bad'), { name })).not.toBeInstanceOf(Own);
    class Narrower extends (Own as new (...args: string[]) => Error) {}
    expect(error).not.toBeInstanceOf(Narrower);
  });

  it('has instanceof StackContextStore hold for the other copy’s store', async () => {
    const other = await secondCopy(() => import('../../lib/context/stack-context-store'));
    expect(new other.StackContextStore()).toBeInstanceOf(StackContextStore);
    expect({ current: () => undefined, run: <T>(_: unknown, fn: () => T): T => fn() }).not.toBeInstanceOf(StackContextStore);
  });

  // The mark is the class's, not each instance's: printed by Node (an uncaught ConfigurationError,
  // console.log of a LevelSwitch) an instance showed `[Symbol(rxlog.ConfigurationError)]: true`.
  it('keeps the mark out of what an instance shows: no own key, nothing in util.inspect', () => {
    const instances: object[] = [
      new ConfigurationError('bad option'),
      new ClefParseError('bad', 'line'),
      new ThrownValueError('thrown'),
      new PartialDeliveryError(1, new Error('x')),
      new LevelSwitch('information'),
      new StackContextStore(),
      new CircuitBreaker(),
    ];
    for (const instance of instances) {
      expect(Object.getOwnPropertySymbols(instance)).toEqual([]);
      expect(inspect(instance)).not.toContain('Symbol(rxlog');
    }
    expect(new ConfigurationError('bad option')).toBeInstanceOf(ConfigurationError);
  });
});
