import { LevelSwitch } from '../core/level-switch';
import { ConfigurationError } from '../core/errors/configuration-error';
import { type LogLevelName, parseLevel } from '../core/log-level';
import type { ConfigurationState } from './configuration-state';
import { describeValue } from '../core/describe-value';

/** `.minimumLevel…`: the lowest level a logger lets through. Default `information`, as in Serilog. */
export class MinimumLevelConfiguration<TParent> {
  readonly #parent: TParent;
  readonly #state: ConfigurationState;
  constructor(parent: TParent, state: ConfigurationState) {
    this.#parent = parent;
    this.#state = state;
  }

  verbose(): TParent {
    return this.is('verbose');
  }

  debug(): TParent {
    return this.is('debug');
  }

  information(): TParent {
    return this.is('information');
  }

  warning(): TParent {
    return this.is('warning');
  }

  error(): TParent {
    return this.is('error');
  }

  fatal(): TParent {
    return this.is('fatal');
  }

  /**
   * A level by name; the aliases `trace`, `info`, `warn` are accepted in any case.
   *
   * @throws ConfigurationError naming the value when it is not a level.
   */
  is(level: LogLevelName | string): TParent {
    this.#state.minimumLevel = new LevelSwitch(parseLevel(level, 'minimumLevel.is'));
    return this.#parent;
  }

  /** Follows a LevelSwitch: changing `sw.level` changes the minimum level at once. */
  controlledBy(levelSwitch: LevelSwitch): TParent {
    if (!(levelSwitch instanceof LevelSwitch))
      throw new ConfigurationError(`minimumLevel.controlledBy: expected a LevelSwitch, got ${describeValue(levelSwitch)}`);
    this.#state.minimumLevel = levelSwitch;
    return this.#parent;
  }

  /**
   * A different minimum level for loggers whose `SourceContext` is `sourceContextPrefix` or starts
   * with it followed by a dot (Serilog's `MinimumLevel.Override`); the longest prefix wins. Applies
   * to loggers made with `forContext('SourceContext', …)` or `child({ SourceContext })`.
   *
   * @example .minimumLevel.override('Orders.Db', 'warning')
   */
  override(sourceContextPrefix: string, level: LogLevelName | string | LevelSwitch): TParent {
    if (typeof sourceContextPrefix !== 'string' || sourceContextPrefix === '') {
      throw new ConfigurationError(
        `minimumLevel.override: expected a non-empty SourceContext prefix, got ${describeValue(sourceContextPrefix)}`,
      );
    }
    const levelSwitch =
      level instanceof LevelSwitch
        ? level
        : new LevelSwitch(parseLevel(level, `minimumLevel.override("${sourceContextPrefix}")`));
    this.#state.overrides = this.#state.overrides.filter((o) => o.prefix !== sourceContextPrefix);
    this.#state.overrides.push({ prefix: sourceContextPrefix, level: levelSwitch });
    return this.#parent;
  }
}
