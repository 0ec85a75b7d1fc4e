import { LevelSwitch, levelSwitchFrom, readableSwitch } from '../core/level-switch';
import { describeValue } from '../core/describe-value';
import { expectOption } from '../core/expect-option';
import { type LogLevelText, parseLevel } from '../core/log-level';
import { type ConfigurationState, expectNotCreated } from './configuration-state';
import { upperCaseSimple } from '../core/upper-case-simple';

/** `.minimumLevel…`: the lowest level a logger lets through. Default `information`, as in Serilog. */
export class MinimumLevelConfiguration<TParent> {
  readonly #parent: TParent;
  readonly #state: ConfigurationState;
  constructor(parent: TParent, state: ConfigurationState) {
    this.#parent = parent;
    this.#state = state;
  }

  /** Lets every event through: `verbose` and above. */
  verbose(): TParent {
    return this.#set('verbose', 'minimumLevel.verbose');
  }

  /** Lets `debug` and above through. */
  debug(): TParent {
    return this.#set('debug', 'minimumLevel.debug');
  }

  /** Lets `information` and above through (the default). */
  information(): TParent {
    return this.#set('information', 'minimumLevel.information');
  }

  /** Lets `warning` and above through. */
  warning(): TParent {
    return this.#set('warning', 'minimumLevel.warning');
  }

  /** Lets `error` and above through. */
  error(): TParent {
    return this.#set('error', 'minimumLevel.error');
  }

  /** Lets only `fatal` events through. */
  fatal(): TParent {
    return this.#set('fatal', 'minimumLevel.fatal');
  }

  /**
   * A level by name; the aliases `trace`, `info`, `warn` are accepted in any case.
   *
   * @throws ConfigurationError naming the value when it is not a level.
   */
  is(level: LogLevelText): TParent {
    return this.#set(level, 'minimumLevel.is');
  }

  #set(level: LogLevelText, where: string): TParent {
    expectNotCreated(this.#state, where);
    this.#state.minimumLevel = new LevelSwitch(parseLevel(level, where));
    return this.#parent;
  }

  /** Follows a LevelSwitch: changing `sw.level` changes the minimum level at once. */
  controlledBy(levelSwitch: LevelSwitch): TParent {
    expectNotCreated(this.#state, 'minimumLevel.controlledBy');
    expectOption(levelSwitch instanceof LevelSwitch, 'minimumLevel.controlledBy', 'a LevelSwitch', levelSwitch);
    this.#state.minimumLevel = readableSwitch(levelSwitch, 'minimumLevel.controlledBy');
    return this.#parent;
  }

  /**
   * A different minimum level for loggers whose `SourceContext` is `sourceContextPrefix` or starts
   * with it followed by a dot, ignoring case (Serilog's `MinimumLevel.Override`); the longest prefix
   * wins, and a prefix configured again (in any case) replaces the earlier one. The prefix is
   * trimmed, as Serilog trims it. Applies to loggers made with `forContext('SourceContext', …)` or
   * `child({ SourceContext })`.
   *
   * @throws ConfigurationError naming the prefix when it is empty or only white space, starts or ends
   * with a dot, has an empty or white-space part (`a..b`, `a. .b`) or a wildcard (`Microsoft.*`, `Microsoft*`: a prefix already covers
   * every SourceContext under it), or naming the level when it is not one.
   * @example .minimumLevel.override('Orders.Db', 'warning')
   */
  override(sourceContextPrefix: string, level: LogLevelText | LevelSwitch): TParent {
    expectNotCreated(this.#state, 'minimumLevel.override');
    const prefix = typeof sourceContextPrefix === 'string' ? sourceContextPrefix.trim() : '';
    expectOption(prefix !== '', 'minimumLevel.override', 'a non-empty SourceContext prefix', sourceContextPrefix);
    // Serilog takes these and then matches 'Microsoft.' only to the SourceContexts 'Microsoft.' and
    // 'Microsoft..X', and 'Microsoft.*' to none: the override the app meant is silently not there.
    const parts = prefix.split('.');
    const problem =
      parts[0] === '' || parts[parts.length - 1] === ''
        ? 'a leading or trailing dot'
        : parts.some((part) => part.trim() === '')
          ? 'an empty part between dots'
          : prefix.includes('*')
            ? 'a wildcard (*)'
            : undefined;
    expectOption(
      problem === undefined,
      'minimumLevel.override',
      `a SourceContext prefix without ${problem}`,
      sourceContextPrefix,
    );
    const levelSwitch = levelSwitchFrom(level, `minimumLevel.override(${describeValue(prefix)})`);
    // Kept upper-cased: prefixes match ignoring case (see LevelOverride), so one that differs only
    // in case replaces the earlier one.
    const key = upperCaseSimple(prefix);
    this.#state.overrides.set(key, levelSwitch);
    return this.#parent;
  }
}
