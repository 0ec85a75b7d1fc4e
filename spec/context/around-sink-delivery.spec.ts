import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { aroundSinkDelivery, type SinkDeliveryWrapper } from '../../lib/context/around-sink-delivery';
import { useAsyncLocalStorage } from '../../lib/node/use-async-local-storage';

/** Which wrapper a sink's write ran inside, read by the sink: the wrappers set it around delivery. */
let inside: string | undefined;
const named =
  (name: string): SinkDeliveryWrapper =>
  <T>(fn: () => T): T => {
    const outer = inside;
    inside = name;
    try {
      return fn();
    } finally {
      inside = outer;
    }
  };

/** The wrapper a sink's write ran inside, for one batch of one event. */
async function wrapperOfAWrite(): Promise<string | undefined> {
  const seen: (string | undefined)[] = [];
  const log = new LoggerConfiguration().writeTo
    .sink({ emit: () => void seen.push(inside) }, { batch: { size: 2, maxDelayMs: 60_000 } })
    .createLogger();
  log.information('one');
  log.information('two');
  await log.close();
  return seen[0];
}

describe('aroundSinkDelivery', () => {
  it.each([
    ['the default store', () => () => undefined],
    ['the AsyncLocalStorage store', useAsyncLocalStorage],
  ])('runs sink delivery inside the wrapper with %s, until it is removed', async (_, useStore) => {
    const restoreStore = useStore();
    try {
      expect(await wrapperOfAWrite()).toBeUndefined();
      const remove = aroundSinkDelivery(named('a'));
      expect(await wrapperOfAWrite()).toBe('a');
      remove();
      expect(await wrapperOfAWrite()).toBeUndefined();
    } finally {
      restoreStore();
    }
  });

  it('keeps the latest registration not yet removed in force, and a removal acts once', async () => {
    const removeA = aroundSinkDelivery(named('a'));
    const removeB = aroundSinkDelivery(named('b'));
    expect(await wrapperOfAWrite()).toBe('b');
    removeB();
    removeB();
    expect(await wrapperOfAWrite()).toBe('a');
    const removeC = aroundSinkDelivery(named('c'));
    removeA();
    expect(await wrapperOfAWrite()).toBe('c');
    removeC();
    expect(await wrapperOfAWrite()).toBeUndefined();
  });
});
