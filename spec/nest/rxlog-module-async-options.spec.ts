import { fixtureOutcomes } from './fixtures/run-nest-app';

// RxlogModule.forRootAsync's three sources of options and its extra providers, as Nest's ConfigurableModuleBuilder,
// @nestjs/jwt and @nestjs/typeorm have them, each in a real Nest 12 application context
// (spec/nest/fixtures/nest-async-options.ts, in a child process).

describe('RxlogModule.forRootAsync with useFactory, useClass or useExisting, in real Nest application contexts', () => {
  let outcomes: Record<string, unknown>;

  beforeAll(async () => {
    outcomes = await fixtureOutcomes<Record<string, unknown>>('nest-async-options.ts');
  }, 120_000);

  it('makes the options with useFactory from the injected providers', () => {
    expect(outcomes.useFactory).toEqual({ events: [['debug', 'useFactory', 'orders (factory)']], constructed: 0 });
  });

  it('provides a useClass, injects its dependencies and takes its createRxlogOptions(), sync or async', () => {
    expect(outcomes.useClass).toEqual({ events: [['debug', 'useClass', 'orders (class)']], constructed: 1 });
    expect(outcomes['useClass, async createRxlogOptions']).toEqual({
      events: [['debug', 'useClass, async createRxlogOptions', 'orders (async class)']],
      constructed: 1,
    });
  });

  it('takes a useExisting provider from an imported module, the instance that module has', () => {
    expect(outcomes['useExisting, from an imported module']).toEqual({
      events: [['debug', 'useExisting, from an imported module', 'orders (class)']],
      constructed: 1,
    });
  });

  it('provides extraProviders to useFactory and to useClass, as @nestjs/jwt does, without a module of their own', () => {
    expect(outcomes['useFactory, extraProviders']).toEqual({
      events: [['debug', 'useFactory, extraProviders', 'orders (extra factory)']],
      constructed: 0,
    });
    expect(outcomes['useClass, extraProviders']).toEqual({
      events: [['debug', 'useClass, extraProviders', 'orders (extra class)']],
      constructed: 1,
    });
  });

  it('provides from provideInjectionTokensFrom what inject or useExisting names and what that injects, nothing else', () => {
    expect(outcomes['useFactory, provideInjectionTokensFrom']).toEqual({
      events: [['debug', 'useFactory, provideInjectionTokensFrom', 'orders (picked factory)']],
      constructed: 0,
    });
    expect(outcomes['useExisting, provideInjectionTokensFrom']).toEqual({
      events: [['debug', 'useExisting, provideInjectionTokensFrom', 'orders (class)']],
      constructed: 1,
    });
  });

  it('refuses a provider list that is not one, an item that is no provider, and provideInjectionTokensFrom it would ignore', () => {
    expect(outcomes).toMatchObject({
      'extraProviders not an array':
        'ConfigurationError: RxlogModule.forRootAsync extraProviders: expected an array of providers, got function AppConfig',
      'extraProviders with undefined':
        'ConfigurationError: RxlogModule.forRootAsync extraProviders[1]: expected a provider (a class, or an object with provide), got undefined',
      // Found by review: forEach passed over a hole, which reached Nest, and walked 1e8 holes for seconds.
      'extraProviders with a hole':
        'ConfigurationError: RxlogModule.forRootAsync extraProviders[1]: expected a provider (a class, or an object with provide), got undefined',
      'provideInjectionTokensFrom of holes':
        'ConfigurationError: RxlogModule.forRootAsync provideInjectionTokensFrom[0]: expected a provider (a class, or an object with provide), got undefined',
      'provideInjectionTokensFrom without inject':
        'ConfigurationError: RxlogModule.forRootAsync provideInjectionTokensFrom: it provides what inject names, and inject is not given',
      'provideInjectionTokensFrom with useClass':
        "ConfigurationError: RxlogModule.forRootAsync provideInjectionTokensFrom: only for useFactory (with inject) or useExisting; give useClass's dependencies in extraProviders or imports",
    });
    expect(outcomes['extraProvider misspelt']).toMatch(
      /^ConfigurationError: RxlogModule\.forRootAsync: unknown option "extraProvider" \(expected one of .*extraProviders/,
    );
  });

  it('refuses two sources or none with a ConfigurationError naming them, where Nest’s builder would pick one', () => {
    expect(outcomes).toMatchObject({
      'useClass and useFactory':
        'ConfigurationError: RxlogModule.forRootAsync: give one of useFactory, useClass or useExisting, not useFactory and useClass',
      'useExisting and useClass':
        'ConfigurationError: RxlogModule.forRootAsync: give one of useFactory, useClass or useExisting, not useClass and useExisting',
      none: 'ConfigurationError: RxlogModule.forRootAsync: expected one of useFactory, useClass or useExisting, got none',
    });
  });

  it('refuses a useClass that is no class, an inject it would ignore, and a class without createRxlogOptions', () => {
    expect(outcomes).toMatchObject({
      'useClass not a class': 'ConfigurationError: RxlogModule.forRootAsync useClass: expected a class, got "RxlogConfig"',
      'useExisting with inject':
        "ConfigurationError: RxlogModule.forRootAsync inject: only for useFactory; useExisting's class gets its dependencies injected into its constructor",
      'useExisting without createRxlogOptions':
        'ConfigurationError: RxlogModule.forRootAsync useExisting: NotAFactory has no createRxlogOptions() method (expected an RxlogOptionsFactory)',
    });
  });
  // Nest shows a failing factory's own error ("Error: Vault unreachable") and exits: nothing said
  // which module's factory it was, unless the factory was written inline in the registration.
  it('names RxlogModule when its factory throws or rejects, and keeps the factory’s error as the cause', () => {
    const failed = (source: string, what: string) => ({
      error: `ConfigurationError: RxlogModule.forRootAsync ${source} failed: ${what}`,
      cause: what,
      same: true,
    });
    expect(outcomes['useFactory that throws']).toEqual(failed('useFactory', 'Error: Vault unreachable'));
    expect(outcomes['useFactory that rejects']).toEqual(failed('useFactory', 'Error: Vault unreachable'));
    expect(outcomes['useClass whose createRxlogOptions rejects']).toEqual(
      failed('useClass FailingRxlogConfig.createRxlogOptions()', 'Error: Vault unreachable'),
    );
    expect(outcomes['useFactory that rejects with a string']).toEqual({
      error: 'ConfigurationError: RxlogModule.forRootAsync useFactory failed: "vault sealed"',
      cause: 'vault sealed',
      same: false,
    });
  });
});
