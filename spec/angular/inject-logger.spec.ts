import { testInjector, within } from './test-injector'; // first: loads Angular's JIT compiler
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigurationError, MemorySink } from '../../lib/index';
import { injectLogger, provideRxlog } from '../../lib/angular/index';

void describe('injectLogger', () => {
  void it('returns the app logger, or a SourceContext child when named', () => {
    const memory = new MemorySink();
    const injector = testInjector([provideRxlog((c) => c.writeTo.sink(memory))]);
    within(injector, () => {
      injectLogger().information('plain');
      injectLogger('Orders').information('named');
    });
    assert.deepEqual(
      memory.events.map((e) => e.properties.SourceContext),
      [undefined, 'Orders'],
    );
    injector.destroy();
  });

  void it('throws a ConfigurationError naming provideRxlog when it is missing, and where a test puts it', () => {
    // The first place a newcomer meets it is often the spec ng new generated for a component
    // that now calls injectLogger(): the message says where a TestBed test puts provideRxlog.
    const injector = testInjector([]);
    assert.throws(
      () => within(injector, () => injectLogger()),
      (error: unknown) =>
        error instanceof ConfigurationError &&
        /provideRxlog/.test(error.message) &&
        /TestBed\.configureTestingModule/.test(error.message),
    );
    injector.destroy();
  });

  // injectLogger(OrdersPage), the class instead of its name, logged SourceContext as the function
  // (a name minifiers change), and matched no minimumLevel.override.
  void it('throws a ConfigurationError naming a sourceContext that is not a non-empty string', () => {
    const memory = new MemorySink();
    const injector = testInjector([provideRxlog((c) => c.writeTo.sink(memory))]);
    class OrdersPage {}
    for (const [bad, shown] of [
      [OrdersPage, /OrdersPage/],
      ['', /""/],
      [42, /42/],
      [null, /null/],
    ] as const)
      assert.throws(
        () => within(injector, () => injectLogger(bad as unknown as string)),
        (error: unknown) =>
          error instanceof ConfigurationError &&
          /^injectLogger: expected a SourceContext name/.test(error.message) &&
          shown.test(error.message),
      );
    assert.equal(memory.events.length, 0);
    injector.destroy();
  });

  void it('needs an injection context', () => {
    // The message names the function the caller wrote (inject() alone named rxlog's token).
    assert.throws(() => injectLogger(), /^Error: NG0203: injectLogger\(\) can only be used within an injection context/);
  });
});
