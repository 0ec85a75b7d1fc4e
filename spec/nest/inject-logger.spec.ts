import { fixtureOutcomes } from './fixtures/run-nest-app';

// Real Nest 12 application contexts (spec/nest/fixtures/nest-logger-tokens.ts, a child process).
describe('getLoggerToken', () => {
  let outcomes: Record<string, unknown>;

  beforeAll(async () => {
    outcomes = await fixtureOutcomes<Record<string, unknown>>('nest-logger-tokens.ts');
  }, 120_000);

  it('has RxlogModule provide the child of a context named only by token: a factory provider’s inject, @Inject(token)', () => {
    expect(outcomes['a factory provider of a feature module, and a class, injecting by token']).toEqual([
      ['Jobs', 'Jobs ready'],
      ['Reports', 'Reports ready'],
    ]);
  });

  it('names a context too late once Nest scanned the modules, as a module loaded lazily does', () => {
    expect(outcomes['a token first named after the app was created']).toMatch(/could not find RxlogLogger:Late element/);
  });

  it('refuses what is no context name, as InjectLogger does', () => {
    expect(outcomes['not a context name']).toEqual([
      'ConfigurationError: getLoggerToken: expected a non-empty context name, got ""',
      'ConfigurationError: getLoggerToken: expected a non-empty context name, got number 42',
    ]);
  });

  it('keeps at most a thousand contexts of its own, telling SelfLog once, so names made at run time cannot grow them forever', () => {
    expect(outcomes['a thousand and more names']).toEqual({
      told: ['getLoggerToken: more than {Limit} contexts named; {Context} and later ones get no provider from RxlogModule'],
      provided: [true, false],
    });
  });
});
