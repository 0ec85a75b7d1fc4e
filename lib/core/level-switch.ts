import { BehaviorSubject, type Observable } from 'rxjs';
import { expectOption } from './expect-option';
import { guardSubscribers } from './guard-subscribers';
import { describeValue } from './describe-value';
import { readGuarded, thrownText } from './read-options';
import { LOG_LEVELS, type LogLevelName, type LogLevelText, levelValue, parseLevel } from './log-level';
import { SelfLog } from './self-log';
import { hasSharedBrand } from './shared-brand';

/**
 * Marks the LevelSwitches of every copy of rxlog in a process: a Node app that both `require`s
 * and `import`s rxlog loads its CommonJS and ES module builds, and a switch made by one must
 * pass the other's checks.
 */
const BRAND: unique symbol = Symbol.for('rxlog.LevelSwitch');

/**
 * Most changes one set of `level` tells level$ subscribers, counting those the subscribers make
 * in turn: a chain of policies settles in a few; subscribers that undo each other never would.
 */
const MAX_CHANGES_PER_SET = 100;

/** Whether `value` holds this copy's private level: a LevelSwitch made here, never a Proxy of one. */
let holdsLevel: (value: object) => boolean;

/**
 * A minimum level that can change at run time: every logger and sink controlled by it follows.
 *
 * @example
 * const sw = new LevelSwitch('information');
 * new LoggerConfiguration().minimumLevel.controlledBy(sw) …
 * sw.level = 'debug';
 */
export class LevelSwitch {
  /**
   * `value instanceof LevelSwitch` holds for a LevelSwitch of any copy of rxlog loaded in the
   * process (its CommonJS and ES module builds), which works through the same public members.
   * For a subclass, `instanceof` keeps its usual meaning.
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    return hasSharedBrand(this, LevelSwitch, BRAND, value);
  }

  /** The mark `instanceof LevelSwitch` reads. */
  get [BRAND](): true {
    // On the prototype, not each instance: printed by Node, an instance would show it.
    return true;
  }
  readonly #subject: BehaviorSubject<LogLevelName>;
  #numeric: number;
  #emitting = false;

  static {
    holdsLevel = (value) => #numeric in value;
  }

  constructor(level: LogLevelText = 'information') {
    const parsed = parseLevel(level, 'LevelSwitch');
    this.#subject = new BehaviorSubject<LogLevelName>(parsed);
    this.#numeric = levelValue(parsed);
  }

  /**
   * The current minimum level. Setting accepts what the constructor does: the six names and the
   * aliases `trace`, `info`, `warn`, in any case (`sw.level = 'warn'` reads back `'warning'`).
   * level$ subscribers that keep changing it back and forth are stopped after 100 changes, at the
   * level they were last told (reported to SelfLog), so setting the level always returns.
   *
   * @throws ConfigurationError when set to something that is not a level name (the level stays as it was).
   */
  get level(): LogLevelName {
    return LOG_LEVELS[this.#numeric];
  }

  set level(level: LogLevelText) {
    this.#numeric = levelValue(parseLevel(level, 'LevelSwitch'));
    // A level$ subscriber that sets the level again is heard once every subscriber has had this
    // change (a nested next would reach later subscribers first), so all see the same order.
    // No try/finally: every subscriber is guarded (see level$), so next() cannot throw.
    if (this.#emitting) return;
    this.#emitting = true;
    let changes = 0;
    while (this.#subject.value !== this.level) {
      // Subscribers that undo each other ("never debug here", "always debug here") would keep
      // this loop, and the caller, spinning for ever: stop at the level they were last told.
      if (++changes > MAX_CHANGES_PER_SET) {
        this.#numeric = levelValue(this.#subject.value);
        SelfLog.write('LevelSwitch: level$ subscribers kept changing the level; stopped at {Level}', this.level);
        break;
      }
      this.#subject.next(this.level);
    }
    this.#emitting = false;
  }

  /**
   * The numeric value of the level, read on the hot path (a field read, no allocation). A
   * subclass that overrides it is read through a guard: when it throws or gives no level, what it
   * controls stays at the last level it gave (reported to SelfLog once) and logging never throws.
   */
  get value(): number {
    return this.#numeric;
  }

  /**
   * The level now and every change after. A subscriber that throws is reported to SelfLog and
   * stays subscribed: it can neither crash the process nor reach the code that set the level.
   */
  get level$(): Observable<LogLevelName> {
    return guardSubscribers(this.#subject.asObservable(), (error) => SelfLog.write('A level$ subscriber failed', error));
  }
}

/** What the logging calls read of a minimum level: its numeric value, on the hot path. */
export interface LevelReader {
  readonly value: number;
}

/**
 * A minimum level given by name or as a switch (a sink's `minimumLevel`, an override): the switch
 * itself (see readableSwitch), or a new one at that level.
 *
 * @throws ConfigurationError naming `where` when `level` is neither a switch nor a level name, or is a switch whose level cannot be read.
 */
export function levelSwitchFrom(level: LogLevelText | LevelSwitch, where: string): LevelReader {
  return level instanceof LevelSwitch ? readableSwitch(level, where) : new LevelSwitch(parseLevel(level, where));
}

/**
 * What the logging calls read of `levelSwitch`, once its level reads as one of the six: a value
 * that passes `instanceof` but has no level (made with `Object.create(LevelSwitch.prototype)`, or
 * a subclass whose `value` misbehaves now) is refused here, at configuration. A switch made
 * by this copy whose `value` is LevelSwitch's is read as it is, on the hot path, unguarded. Any
 * other (a subclass's getter, a Proxy's trap, another copy's switch: its CommonJS or ES module
 * build) may start to throw, or to give no level, later, and logging never throws: it is read through
 * {@link guardedLevel}.
 *
 * @throws ConfigurationError naming `where` when reading the level throws or gives no level.
 */
export function readableSwitch(levelSwitch: LevelSwitch, where: string): LevelReader {
  const value: unknown = readGuarded(where, "the LevelSwitch's level", () => levelSwitch.value);
  // A level's value is its index in LOG_LEVELS: a fraction, NaN or out of range indexes nothing.
  expectOption(isLevelValue(value), where, 'a LevelSwitch at one of the six levels', value);
  return readsOwnValue(levelSwitch) ? levelSwitch : guardedLevel(levelSwitch, value, where);
}

function isLevelValue(value: unknown): value is number {
  return typeof value === 'number' && Object.hasOwn(LOG_LEVELS, value);
}

/**
 * Whether `value` is read through rxlog's own getter, which cannot throw: the switch was made by
 * this copy of rxlog (a Proxy of one holds no private field, and its get trap would answer
 * `value`; another copy's is read through the guard) and the first object on its prototype chain
 * that defines `value` is a LevelSwitch prototype, not a subclass's or the instance itself. Never
 * throws, and gives up (no) past 100 prototypes.
 */
function readsOwnValue(levelSwitch: LevelSwitch): boolean {
  if (!holdsLevel(levelSwitch)) return false;
  try {
    // Bounded: a Proxy set as a subclass's prototype may give itself as its own, for ever.
    let target: object | null = levelSwitch;
    for (let depth = 0; target !== null && depth < 100; target = Reflect.getPrototypeOf(target), depth++) {
      if (Object.hasOwn(target, 'value')) return Object.hasOwn(target, BRAND);
    }
  } catch {
    // Read through the guard.
  }
  return false;
}

/**
 * Reads `levelSwitch.value` so that it never throws: while it throws, or gives no level, the level
 * stays the last one it gave (`initial`, read at configuration), so events are neither let through
 * below it nor lost above it, and SelfLog says so once, until it gives a level again.
 */
function guardedLevel(levelSwitch: LevelSwitch, initial: number, where: string): LevelReader {
  let last = initial;
  let failing = false;
  return {
    get value(): number {
      let value: unknown;
      let error: unknown;
      try {
        value = levelSwitch.value;
      } catch (thrown) {
        error = thrown;
      }
      if (isLevelValue(value)) {
        failing = false;
        return (last = value);
      }
      if (!failing) {
        failing = true;
        SelfLog.write(
          "{Where}: reading the LevelSwitch's level {Problem}; staying at {Level} until it reads as a level again",
          where,
          error === undefined ? `gave ${describeValue(value)}` : `threw ${thrownText(error)}`,
          LOG_LEVELS[last],
        );
      }
      return last;
    },
  };
}
