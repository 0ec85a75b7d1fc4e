import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { LevelSwitch } from '../../lib/core/level-switch';
import { isLevelName, LOG_LEVELS, LogLevel, type LogLevelName, levelValue, parseLevel } from '../../lib/core/log-level';
import { MemorySink } from '../../lib/sinks/memory-sink';

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

// Both are exported, and every logger reads LOG_LEVELS for the name of each event's level: from
// JavaScript (where `readonly` is not checked), `LOG_LEVELS.reverse()` to list the levels most
// severe first would otherwise relabel every event of every logger in the process.
describe('LOG_LEVELS and LogLevel', () => {
  it('cannot be reordered or renamed by a caller, so every event keeps its level’s name', () => {
    const names = LOG_LEVELS as LogLevelName[];
    try {
      expect(() => names.reverse()).toThrow(TypeError);
      expect(() => names.sort()).toThrow(TypeError);
      expect(() => {
        (LogLevel as Record<string, string>).Warning = 'warn';
      }).toThrow(TypeError);
    } finally {
      // Without the freeze, leave the module as it was for the tests after this one.
      if (names[0] !== 'verbose') names.splice(0, 6, 'verbose', 'debug', 'information', 'warning', 'error', 'fatal');
      if (!Object.isFrozen(LogLevel)) (LogLevel as Record<string, string>).Warning = 'warning';
    }
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    log.information('Started');
    log.warning('Slow');
    expect(memory.events.map((event) => event.level)).toEqual(['information', 'warning']);
    expect(new LevelSwitch('error').level).toBe('error');
    expect(LogLevel.Warning).toBe('warning');
  });
});
