import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { LOG_LEVELS, type LogLevelName } from '../../lib/core/log-level';
import { minimumLevel } from '../../lib/operators/minimum-level';
import { MemorySink } from '../../lib/sinks/memory-sink';

/** The level `n` steps above `level` (below when negative), as Serilog's `eventLevel + increment`. */
function plus(level: LogLevelName, n: number): LogLevelName {
  const at = LOG_LEVELS.indexOf(level) + n;
  if (at < 0 || at >= LOG_LEVELS.length) throw new Error(`no level ${n} from ${level}`);
  return LOG_LEVELS[at];
}

// The reference tests, case by case (serilog/serilog at 60935b4). "Child logger" there is a
// sub-logger, WriteTo.Logger(lc => …); in rxlog that is a sink's own lane (docs/configuration.md):
// restrictedToMinimumLevel is the sink's minimumLevel option, and the sub-logger's own minimum
// level is a minimumLevel operator in the sink's pipe. Serilog runs each table twice, for a
// sub-logger configured in a callback and for one created beforehand; rxlog has the one shape.
describe('Serilog test/Serilog.Tests/Core/ChildLoggerTests.cs', () => {
  // GetMinimumLevelInheritanceTestCases: event level, then the root's minimum level, the sink's
  // restrictedToMinimumLevel and the child's minimum level as steps from the event's level
  // (null: Information, Verbose and Information), then whether the event reaches the child's sink.
  // A sub-logger never sees an event below the root's level, whatever its own level.
  type Case = [LogLevelName, number | null, number | null, number | null, boolean];
  const T = (...c: Case): Case => c;
  it.each<Case>([
    // default case: nothing specified, equivalent to "Information+ allowed"
    T('verbose', null, null, null, false),
    T('debug', null, null, null, false),
    T('information', null, null, null, true),
    T('warning', null, null, null, true),
    T('error', null, null, null, true),
    T('fatal', null, null, null, true),
    // the event level is high enough all along the pipeline
    T('verbose', 0, 0, 0, true),
    T('debug', 0, 0, 0, true),
    T('information', 0, 0, 0, true),
    T('warning', 0, 0, 0, true),
    T('error', 0, 0, 0, true),
    T('fatal', 0, 0, 0, true),
    // blocked by the root's minimum level
    T('verbose', 1, 0, 0, false),
    T('debug', 1, 0, 0, false),
    T('information', 1, 0, 0, false),
    T('warning', 1, 0, 0, false),
    T('error', 1, 0, 0, false),
    // blocked by restrictedToMinimumLevel
    T('verbose', 0, 1, 0, false),
    T('debug', 0, 1, 0, false),
    T('information', 0, 1, 0, false),
    T('warning', 0, 1, 0, false),
    T('error', 0, 1, 0, false),
    // blocked by the child's minimum level
    T('verbose', 0, 0, 1, false),
    T('debug', 0, 0, 1, false),
    T('information', 0, 0, 1, false),
    T('warning', 0, 0, 1, false),
    T('error', 0, 0, 1, false),
  ])(
    'WriteToLoggerWithConfigCallbackMinimumLevelInheritanceScenarios: %p event, root %p, restrictedTo %p, child %p: reaches the child %p',
    (eventLevel, root, restrictedTo, child, reaches) => {
      const memory = new MemorySink();
      const log = new LoggerConfiguration().minimumLevel
        .is(root === null ? 'information' : plus(eventLevel, root))
        .writeTo.sink(memory, {
          minimumLevel: restrictedTo === null ? 'verbose' : plus(eventLevel, restrictedTo),
          pipe: [minimumLevel(child === null ? 'information' : plus(eventLevel, child))],
        })
        .createLogger();
      log.write(eventLevel, 'x');
      expect(memory.events.length === 1).toBe(reaches);
    },
  );

  // GetMinimumLevelOverrideInheritanceTestCases: an Information event from a logger for
  // SourceContext Root.N1.N2; the root's default level (Serilog's LevelAlias.Minimum, or Maximum),
  // an override on the root as a step from Information, and whether the event reaches the child.
  // Serilog's cases with an override on the child logger have no counterpart where a sink lane
  // has no overrides; the three where the child "would happily accept" the event are ported
  // with a lane that accepts everything.
  type OverrideCase = [string | null, number, 'accepts everything' | null, boolean, LogLevelName];
  const O = (
    rs: string | null,
    rl: number,
    child: 'accepts everything' | null,
    r: boolean,
    dl: LogLevelName = 'verbose',
  ): OverrideCase => [rs, rl, child, r, dl];
  it.each<OverrideCase>([
    // no overrides
    O(null, 0, null, true),
    // root overrides with a level lower or equal to the event's, the child out of the way
    O('Root', 0, null, true),
    O('Root', -1, null, true),
    O('Root', -1, null, true, 'fatal'),
    O('Root.N1', 0, null, true),
    O('Root.N1', -1, null, true),
    O('Root.N1', -1, null, true, 'fatal'),
    O('Root.N1.N2', 0, null, true),
    O('Root.N1.N2', -1, null, true),
    O('Root.N1.N2', -1, null, true, 'fatal'),
    // root overrides on irrelevant namespaces
    O('xx', 1, null, true),
    O('Root.xx', 1, null, true),
    O('Root.N1.xx', 1, null, true),
    // root overrides prevent all processing by children, even though children would accept it
    O('Root', 1, null, false),
    O('Root', 1, 'accepts everything', false),
    O('Root.N1', 1, null, false),
    O('Root.N1', 1, 'accepts everything', false),
    O('Root.N1.N2', 1, null, false),
    O('Root.N1.N2', 1, 'accepts everything', false),
  ])(
    'WriteToLoggerWithConfigCallbackMinimumLevelOverrideInheritanceScenarios: root override %p at %p, child %p: reaches the child %p (root default %p)',
    (rootOverride, step, child, reaches, rootDefault) => {
      const memory = new MemorySink();
      let configuration = new LoggerConfiguration().minimumLevel.is(rootDefault);
      if (rootOverride !== null) configuration = configuration.minimumLevel.override(rootOverride, plus('information', step));
      const log = configuration.writeTo.sink(memory, child === null ? {} : { minimumLevel: 'verbose' }).createLogger();
      log.forContext('SourceContext', 'Root.N1.N2').information('x');
      expect(memory.events.length === 1).toBe(reaches);
    },
  );

  // Not ported: WriteToLoggerMinimumLevelInheritanceScenarios and
  // WriteToLoggerMinimumLevelOverrideInheritanceScenarios (the same tables for WriteTo.Logger(existingLogger):
  // rxlog cannot write one logger into another); the three override cases T(null, +0, "xx", +1, true),
  // T(null, +0, "Root.xx", +1, true), T(null, +1, "Root.N1.xx", +1, true) (an override on the child: a lane has none).
});
