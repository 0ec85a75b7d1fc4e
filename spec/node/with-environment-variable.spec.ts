import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { withEnvironmentVariable } from '../../lib/node/with-environment-variable';
import { makeEvent } from '../helpers/events';

describe('withEnvironmentVariable', () => {
  beforeEach(() => {
    process.env.RXLOG_TEST_VAR = 'staging';
    delete process.env.RXLOG_TEST_UNSET;
  });

  afterEach(() => {
    delete process.env.RXLOG_TEST_VAR;
  });

  it('adds the variable under its own name by default', () => {
    expect(withEnvironmentVariable('RXLOG_TEST_VAR')(makeEvent())).toEqual({ RXLOG_TEST_VAR: 'staging' });
  });

  it('adds the variable under the given property name', () => {
    expect(withEnvironmentVariable('RXLOG_TEST_VAR', 'Environment')(makeEvent())).toEqual({ Environment: 'staging' });
  });

  it('reads the variable once, when made', () => {
    const enricher = withEnvironmentVariable('RXLOG_TEST_VAR');
    process.env.RXLOG_TEST_VAR = 'production';
    const first = enricher(makeEvent());
    expect(first).toEqual({ RXLOG_TEST_VAR: 'staging' });
    expect(enricher(makeEvent())).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('adds nothing when the variable is unset', () => {
    expect(withEnvironmentVariable('RXLOG_TEST_UNSET')(makeEvent())).toBeUndefined();
  });

  // Before, process.env gave the inherited member for an unset variable named like one, and every
  // event carried '[Function toString]' or an empty object under that name.
  it('adds nothing for an unset variable named like an Object.prototype member, and the value when it is set', () => {
    for (const name of ['constructor', 'toString', 'hasOwnProperty', '__proto__'])
      expect(withEnvironmentVariable(name)(makeEvent())).toBeUndefined();
    // A variable may have any name, an inherited member's too.
    Reflect.set(process.env, 'toString', 'set');
    try {
      expect(withEnvironmentVariable('toString')(makeEvent())).toEqual({ toString: 'set' });
    } finally {
      Reflect.deleteProperty(process.env, 'toString');
    }
  });

  it('throws a ConfigurationError for an empty name', () => {
    expect(() => withEnvironmentVariable('')).toThrow(ConfigurationError);
    expect(() => withEnvironmentVariable('X', '')).toThrow(ConfigurationError);
  });

  // Before, '  ' was taken: every event carried a property named by white space, which
  // enrich.withProperty and forContext refuse, as Serilog's LogEventProperty does.
  it('throws a ConfigurationError naming a property name of white space only, as enrich.withProperty does', () => {
    expect(() => withEnvironmentVariable('RXLOG_TEST_VAR', '  ')).toThrow(
      new ConfigurationError('withEnvironmentVariable: expected a property name that is not empty or white space, got "  "'),
    );
    // The variable's own name is the property name by default.
    expect(() => withEnvironmentVariable('\t')).toThrow(ConfigurationError);
    // A name with white space around other characters is kept as it is, as withProperty keeps it.
    expect(withEnvironmentVariable('RXLOG_TEST_VAR', ' Env ')(makeEvent())).toEqual({ ' Env ': 'staging' });
  });

  it('throws a ConfigurationError, not a TypeError, for a name String() cannot convert, and names its type', () => {
    const noPrototype = Object.create(null) as string;
    expect(() => withEnvironmentVariable(noPrototype)).toThrow(ConfigurationError);
    expect(() => withEnvironmentVariable(noPrototype)).toThrow('withEnvironmentVariable: expected a variable name, got object');
    expect(() => withEnvironmentVariable('X', noPrototype)).toThrow(
      'withEnvironmentVariable: expected a property name, got object',
    );
    expect(() => withEnvironmentVariable(42 as unknown as string)).toThrow(
      'withEnvironmentVariable: expected a variable name, got number 42',
    );
  });
});
