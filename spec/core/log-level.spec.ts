import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { isLevelName, LOG_LEVELS, LogLevel, levelValue, parseLevel } from '../../lib/core/log-level';

describe('parseLevel', () => {
  it('reads the six names and the aliases in any case', () => {
    expect(LOG_LEVELS.map((l) => parseLevel(l.toUpperCase()))).toEqual([...LOG_LEVELS]);
    expect(parseLevel('Trace')).toBe('verbose');
    expect(parseLevel('INFO')).toBe('information');
    expect(parseLevel(' warn ')).toBe('warning');
  });

  it('throws a ConfigurationError naming the unknown level and where it was given', () => {
    expect(() => parseLevel('loud', 'minimumLevel.is')).toThrow(ConfigurationError);
    expect(() => parseLevel('loud', 'minimumLevel.is')).toThrow(/minimumLevel\.is: unknown level "loud"/);
    expect(() => parseLevel(42)).toThrow(/unknown level number 42 \(/);
    expect(() => parseLevel(Number.NaN)).toThrow(/unknown level number NaN \(/);
  });
});

describe('levelValue', () => {
  it('orders the levels from verbose to fatal', () => {
    expect(LOG_LEVELS.map(levelValue)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(levelValue(LogLevel.Warning)).toBeGreaterThan(levelValue(LogLevel.Information));
  });
});

describe('isLevelName', () => {
  it('accepts only the canonical names', () => {
    expect(isLevelName('error')).toBe(true);
    expect(isLevelName('warn')).toBe(false);
    expect(isLevelName(undefined)).toBe(false);
  });
});
