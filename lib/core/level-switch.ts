import { BehaviorSubject, type Observable } from 'rxjs';
import { guardSubscribers } from './guard-subscribers';
import { type LogLevelName, levelValue, parseLevel } from './log-level';
import { SelfLog } from './self-log';

/**
 * A minimum level that can change at run time: every logger and sink controlled by it follows.
 *
 * @example
 * const sw = new LevelSwitch('information');
 * new LoggerConfiguration().minimumLevel.controlledBy(sw) …
 * sw.level = 'debug';
 */
export class LevelSwitch {
  private readonly subject: BehaviorSubject<LogLevelName>;
  private numeric: number;

  constructor(level: LogLevelName | string = 'information') {
    const parsed = parseLevel(level, 'LevelSwitch');
    this.subject = new BehaviorSubject<LogLevelName>(parsed);
    this.numeric = levelValue(parsed);
  }

  /**
   * The current minimum level. Setting accepts the aliases `trace`, `info`, `warn`.
   *
   * @throws ConfigurationError when set to something that is not a level name (the level stays as it was).
   */
  get level(): LogLevelName {
    return this.subject.value;
  }

  set level(level: LogLevelName) {
    const parsed = parseLevel(level, 'LevelSwitch');
    if (parsed === this.subject.value) return;
    this.numeric = levelValue(parsed);
    this.subject.next(parsed);
  }

  /** The numeric value of the level, read on the hot path (a field read, no allocation). */
  get value(): number {
    return this.numeric;
  }

  /**
   * The level now and every change after. A subscriber that throws is reported to SelfLog and
   * stays subscribed: it can neither crash the process nor reach the code that set the level.
   */
  get level$(): Observable<LogLevelName> {
    return guardSubscribers(this.subject.asObservable(), (error) => SelfLog.write('A level$ subscriber failed', error));
  }
}
