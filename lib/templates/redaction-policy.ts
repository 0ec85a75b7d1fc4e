import { isObject } from '../core/is-object';
import { checkItems, expectOption } from '../core/expect-option';
import { readGuarded, readOptions } from '../core/read-options';
import { checkOptionKeys } from '../core/check-option-keys';
import { isPlainRecord } from '../core/is-plain-record';
import { keepErrorText } from '../core/keep-error-text';
import { ConfigurationError } from '../core/errors/configuration-error';
import { ThrownValueError } from '../core/errors/thrown-value-error';
import { SelfLog } from '../core/self-log';
import { errorKind } from '../core/read-property';
import { captureValue, CIRCULAR_MARKER } from './capture';
import { setOwnProperty } from './own-property';
import { writeJson } from './safe-json';

/** The names of a key without dots, beyond the key itself: none. */
const NO_NAMES: readonly string[] = [];

/**
 * The longest property name a key pattern is tested on, in UTF-16 code units: a longer one (data,
 * not a name anyone writes, as in a parsed request body) counts as matched, untested. A pattern
 * runs on every name of every call, and a common one is quadratic in the name's length
 * (`.*token.*` with the `i` flag takes 4 s on a name of 64 K, the most capture keeps, and names bound to a child
 * or an Error are not cut at all): this bounds the work of such a pattern to a fraction of a
 * second per call, whatever the data.
 */
export const MAX_KEY_PATTERN_NAME = 256;

/** The captured data a ThrownValueError's message was written from, by error. */
const thrownData = new WeakMap<Error, unknown>();

/**
 * The exception for a thrown object that is not an Error (`throw { code, token }`): a
 * ThrownValueError whose message is `data` (the object as captured) as JSON, cut as a captured
 * string is. A policy redacts that data as it does an Error's own properties, and rewrites the
 * message from what is left.
 */
export function thrownDataError(data: unknown): Error {
  const error = new ThrownValueError(captureValue(writeJson(data)) as string);
  thrownData.set(error, data);
  return error;
}

/** A replacement for a redacted value: a fixed value, or a function of the value and its dotted path. */
export type RedactCensor = string | ((value: unknown, path: string) => unknown);

/** What to redact and how. An array of paths is short for `{ paths }` (pino's `redact: ['a.b']`). */
export interface RedactOptions {
  /**
   * Dotted paths from an event's properties, e.g. `'Password'`, `'User.password'`,
   * `'Headers.authorization'`; `*` matches any one name (`'*.token'`). Arrays are transparent:
   * `'Users.password'` also matches the `password` of every item of a `Users` array. Names are
   * case-sensitive. `*` also stands for an array index, as in pino: `'Users.*.password'`, and
   * `'Tokens.*'` replaces each item of a `Tokens` array; a number names one item (`'Users.0.password'`); a `*` inside a name (`'User.pass*'`) is a
   * ConfigurationError. Brackets are not path syntax (pino's `a["b-c"]` is `'a.b-c'`, its `a[*].b` is
   * `'a.b'`, its `a[*]` is `'a.*'`): a path with `[` or `]` is a ConfigurationError. Default: none.
   */
  paths?: readonly string[] | undefined;
  /**
   * Property names redacted wherever they appear, at any depth, e.g. `/pass(word)?|secret|token|api[-_]?key/i`.
   * Tested on names of up to 256 characters; a longer name counts as
   * matched, untested. A pattern with nested quantifiers (`/(\w+\s?)*$/`), which backtracks
   * exponentially, is a ConfigurationError. Each is copied when the policy is built, as a plain
   * RegExp of its source and flags (a subclass's `test` or `exec` is not used). Default: none.
   */
  keys?: RegExp | readonly RegExp[] | undefined;
  /** What replaces a redacted value: a value, or a function given the value and its dotted path. Default `'[Redacted]'`. */
  censor?: RedactCensor | undefined;
  /** Remove redacted properties instead of replacing them. Default `false`. */
  remove?: boolean | undefined;
}

/** The options `RedactionPolicy.compile` knows; any other name is a mistake (a misspelt `path`). */
/** The names of RedactOptions, as `destructure.redact` reads them. */
export const REDACT_OPTION_NAMES: readonly string[] = ['paths', 'keys', 'censor', 'remove'];

/** The replacement used when none is given. */
export const DEFAULT_CENSOR = '[Redacted]';

/** One node of the compiled paths (a trie): the names that lead further, the `*` branch, and whether a path ends here. */
interface PathNode {
  readonly children: Map<string, PathNode>;
  wildcard: PathNode | undefined;
  terminal: boolean;
  /** Whether a child's name is an array index (`'0'`, as in `'Users.0.password'`). */
  indexes: boolean;
}

/** Where a walk stands: the path nodes still reachable, or a match. */
type Step = readonly PathNode[] | typeof MATCH;

const MATCH = 'match';
/** A name that is also an array index: `'0'`, `'12'` (not `'01'`). */
const ARRAY_INDEX = /^(?:0|[1-9]\d*)$/;
const NOTHING_ALIVE: readonly PathNode[] = [];

function pathNode(): PathNode {
  return { children: new Map(), wildcard: undefined, terminal: false, indexes: false };
}

function compilePaths(paths: readonly string[][]): PathNode {
  const root = pathNode();
  for (const segments of paths) {
    let node = root;
    for (const segment of segments) {
      let next = segment === '*' ? node.wildcard : node.children.get(segment);
      if (next === undefined) {
        next = pathNode();
        if (segment === '*') node.wildcard = next;
        else node.children.set(segment, next);
        if (ARRAY_INDEX.test(segment)) node.indexes = true;
      }
      node = next;
    }
    node.terminal = true;
  }
  return root;
}

/** The nodes reached from `nodes` by one name, or MATCH when one of them ends a path. */
function follow(nodes: readonly PathNode[], segment: string): Step {
  // Made only when a path goes on: most names lead nowhere.
  let next: PathNode[] | undefined;
  for (const node of nodes) {
    const named = node.children.get(segment);
    if (named !== undefined) (next ??= []).push(named);
    if (node.wildcard !== undefined) (next ??= []).push(node.wildcard);
  }
  return next?.some((node) => node.terminal) ? MATCH : (next ?? NOTHING_ALIVE);
}

function copyOf(source: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> =
    Object.getPrototypeOf(source) === null ? (Object.create(null) as Record<string, unknown>) : {};
  for (const key of Object.keys(source)) setOwnProperty(copy, key, source[key]);
  return copy;
}

/**
 * A compiled redaction policy: applied to captured data (plain objects, arrays and scalars, as
 * events hold them), it replaces or removes what the paths and key patterns name. It never
 * mutates what it did not make: a structure that changes is copied along the changed branch.
 * Used at capture time by the logger (`.destructure.redact(…)`) and by the `redact` operator.
 *
 * @example
 * const policy = RedactionPolicy.compile({ paths: ['User.password'], keys: /token/i });
 * policy.redactProperties({ User: { name: 'ann', password: 'x' } }) // { User: { name: 'ann', password: '[Redacted]' } }
 */
export class RedactionPolicy {
  readonly #root: readonly PathNode[];
  readonly #keys: readonly RegExp[];
  readonly #censor: RedactCensor;
  readonly #remove: boolean;
  readonly #path: string[] = [];
  /**
   * The path nodes that reached a `'[Circular]'` below the structure being walked, going on (null
   * when none yet; undefined outside a structure): see `#redactNested`.
   */
  #loops: Set<PathNode> | null | undefined;

  private constructor(paths: readonly string[][], keys: readonly RegExp[], censor: RedactCensor, remove: boolean) {
    this.#root = paths.length === 0 ? NOTHING_ALIVE : [compilePaths(paths)];
    this.#keys = keys;
    this.#censor = censor;
    this.#remove = remove;
  }

  /**
   * Checks and compiles the options, each read once (a getter that answers differently each time
   * cannot pass the checks with one value and compile another). An array is pino's short form:
   * the paths, with the default censor (`['User.password']` is `{ paths: ['User.password'] }`).
   *
   * @throws ConfigurationError naming a bad path, key pattern or censor, an unknown option, or an option whose getter throws.
   */
  static compile(options: RedactOptions | readonly string[], where = 'redact'): RedactionPolicy {
    expectOption(typeof options === 'object' && (options as unknown) !== null, where, 'options', options);
    // Read once, below, as an options object is read once; a Proxy whose trap throws is a ConfigurationError.
    const short = readGuarded(where, 'the options', () => (Array.isArray(options) ? (options as readonly string[]) : undefined));
    const given: RedactOptions = short === undefined ? readOptions(where, options, REDACT_OPTION_NAMES) : { paths: short };
    // On the snapshot, as every options object is checked (an option set to undefined passes), and after
    // readOptions, so options whose names cannot be listed (a Proxy's ownKeys trap throws) are a ConfigurationError.
    checkOptionKeys(where, given, REDACT_OPTION_NAMES);
    expectOption(
      given.paths === undefined || Array.isArray(given.paths),
      `${where}: paths`,
      'an array of dotted paths',
      given.paths,
    );
    // Copied once, as the options are, each path checked as it is read (see checkItems): a hole is an item
    // (undefined, refused below), a Proxy's trap a ConfigurationError.
    // The short form is the options themselves.
    const paths = readGuarded(where, short === undefined ? 'paths' : 'the options', () =>
      checkItems(given.paths ?? [], (path, index) => {
        expectOption(
          // A name with spaces around it (' Card.number', split from 'Password, Card.number') would match nothing.
          typeof path === 'string' && !path.split('.').some((name) => name === '' || name.trim() !== name),
          `${where}: paths[${index}]`,
          'a dotted path like "User.password"',
          path,
        );
        // pino's (fast-redact's) `a["b-c"]` and `a[*].b` would be read as names with brackets in them and match
        // nothing, silently: the secret they meant would be logged. Say how to write them instead.
        if (/[[\]]/.test(path))
          throw new ConfigurationError(
            `${where}: paths[${index}]: ${JSON.stringify(path)} uses brackets; paths are dotted names ` +
              `(a["b-c"] is a.b-c; arrays are transparent, so a[*].b is a.b and a[*] is a.*; a[0] is a.0); for other names use a key pattern`,
          );
        // Several paths joined into one ('Password,Card.number') would be one name that matches nothing.
        if (path.includes(','))
          throw new ConfigurationError(
            `${where}: paths[${index}]: ${JSON.stringify(path)} has a comma; give each path as its own item ` +
              '(paths: ["Password", "Card.number"]); for a name with a comma in it use a key pattern',
          );
        const names = path.split('.');
        // A glob ('**.password', 'User.pass*') would be a literal name here and match nothing, silently.
        if (names.some((name) => name !== '*' && name.includes('*')))
          throw new ConfigurationError(
            `${where}: paths[${index}]: ${JSON.stringify(path)} has a * inside a name; * stands for one whole name ` +
              '("*.token", "Users.*.password"); for names by pattern use a key pattern (keys: /pass/i)',
          );
        return names;
      }),
    );
    const keys = readGuarded(where, 'keys', () =>
      checkItems(
        given.keys === undefined ? [] : Array.isArray(given.keys) ? (given.keys as unknown[]) : [given.keys],
        (key: unknown, index) => {
          expectOption(key instanceof RegExp, `${where}: keys[${index}]`, 'a RegExp', key);
          // A plain RegExp of its source and flags, made once: the given one's test or exec (a subclass's, an own
          // property, one set after configuration) would run app code on every name inside the logging call, where
          // a throw lost the event, and could match otherwise than the source checked here. Without a global or
          // sticky flag, which keep lastIndex between tests.
          const own = new RegExp(key);
          const pattern = new RegExp(own, own.flags.replace(/[gy]/g, ''));
          if (repeatsARepeat(pattern))
            throw new ConfigurationError(
              `${where}: keys[${index}]: ${String(key)} repeats a group that holds a repeat (nested quantifiers), ` +
                'which backtracks exponentially on some names; write it as an alternation of words, such as /pass(word)?|secret|token/i',
            );
          return pattern;
        },
      ),
    );
    const censor = given.censor ?? DEFAULT_CENSOR;
    expectOption(
      typeof censor === 'string' || typeof censor === 'function',
      `${where}: censor`,
      'a string or a function',
      censor,
    );
    expectOption(given.remove === undefined || typeof given.remove === 'boolean', `${where}: remove`, 'a boolean', given.remove);
    if (paths.length === 0 && keys.length === 0) throw new ConfigurationError(`${where}: give at least one path or key pattern`);
    return new RedactionPolicy(paths, keys, censor, given.remove === true);
  }

  /**
   * Whether redacting a value gives the same result every time without calling app code (the
   * censor is a string, or the match is removed), so a value redacted once stays redacted: true
   * unless the censor is a function, which runs once per event.
   */
  get fixed(): boolean {
    return typeof this.#censor !== 'function';
  }

  /**
   * Redacts an event's properties. With `inPlace` (a record the caller just made), its top level
   * is changed directly; otherwise the record is returned as is when nothing matched, else a copy.
   */
  redactProperties<T extends Readonly<Record<string, unknown>>>(properties: T, inPlace = false): T {
    return this.#redactRecord(properties, this.#root, inPlace) as T;
  }

  /**
   * The exception as it may travel: the same Error when nothing in it is redacted, else a copy
   * (same prototype, name, message and stack) whose own properties are captured and redacted. The
   * errors linked to it, its `cause` and an AggregateError's `errors` (own properties, usually not
   * enumerable, or what a getter of its class gives), are redacted the same way, to
   * `MAX_LINKED_ERRORS` (8) levels; in a copy, a link deeper than that becomes `'[Truncated]'` and a
   * link back to an error of the chain `'[Circular]'`, so nothing unredacted travels behind them.
   * The app's Error is never changed.
   */
  redactError(error: Error): Error {
    try {
      return this.#redactError(error, this.#root, [], new Map());
    } catch (fault) {
      // A Proxy whose traps throw part way (getPrototypeOf, a descriptor): what it holds cannot be
      // checked, so it never travels as it is.
      return unreadableError(error, fault);
    }
  }

  /**
   * `redactError` for an error reached by the path nodes `alive` (the top ones, and those that went
   * on through the links to it), linked from `chain` (the errors above it, outermost first); `done`
   * holds what the errors linked so far were redacted to, and from which nodes.
   */
  #redactError(error: Error, alive: readonly PathNode[], chain: Error[], done: Linked): Error {
    const data = thrownData.get(error);
    if (data !== undefined) {
      const redacted = this.#redactNested(data, alive);
      return redacted === data ? error : thrownDataError(redacted);
    }
    let keys: string[];
    try {
      keys = Object.keys(error);
    } catch (fault) {
      return unreadableError(error, fault);
    }
    const record = error as unknown as Record<string, unknown>;
    // What the copy holds, by property name: the value as read, once (a getter may answer a secret
    // the next time), or what the policy made of it, or REMOVED. A Map: `__proto__` is a name like any other.
    const changes = new Map<string, unknown>();
    // A link back into the chain alone calls for no copy: the error travels as it is.
    let copied = false;
    for (const key of keys) {
      // A `cause` set by assignment (`error.cause = inner`, as axios's AxiosError.from does) is
      // enumerable, and a link all the same, below: every formatter writes it as one.
      if (key === 'cause') continue;
      let value: unknown;
      try {
        value = record[key];
      } catch {
        // A getter that throws: left out of a copy, which would read it again.
        changes.set(key, REMOVED);
        continue;
      }
      const outcome = this.#redactEntry(key, value, alive, true);
      changes.set(key, outcome === UNCHANGED ? value : outcome);
      copied ||= outcome !== UNCHANGED;
    }
    // The linked errors, `cause` and an AggregateError's `errors`, wherever formatters read them:
    // own (enumerable or not) or from a getter of the error's class (the aggregate-error package's
    // `errors`, over a private field). An enumerable own `errors` is data like any other, redacted above.
    const deeper = [...chain, error];
    for (const name of ['cause', 'errors']) {
      let value: unknown;
      try {
        if (!(name in error) || (name === 'errors' && keys.includes(name))) continue;
        value = record[name];
      } catch {
        changes.set(name, REMOVED);
        continue;
      }
      // Not searched any deeper than MAX_LINKED_ERRORS: what is behind this link stays out of the copy.
      const outcome = chain.length >= MAX_LINKED_ERRORS ? TRUNCATED_MARKER : this.#redactLink(name, value, alive, deeper, done);
      changes.set(name, outcome === CIRCULAR ? CIRCULAR_MARKER : outcome === UNCHANGED ? value : outcome);
      copied ||= outcome !== CIRCULAR && outcome !== UNCHANGED;
    }
    if (!copied) return error;
    const copy = Object.create(Object.getPrototypeOf(error) as object | null) as Record<string, unknown>;
    for (const name of ['name', 'message', 'stack', 'cause', 'errors']) {
      // A link read from a getter too: the copy holds it as read (its getter may not work on the copy).
      if (!isHiddenOwn(error, name) && (!changes.has(name) || keys.includes(name))) continue;
      const value = changes.has(name) ? changes.get(name) : readOwn(record, name);
      // One read from a getter and removed is undefined in the copy, or the getter would read it again there.
      if (value !== REMOVED || !Object.hasOwn(error, name))
        Object.defineProperty(copy, name, { value: value === REMOVED ? undefined : value, writable: true, configurable: true });
    }
    for (const key of keys) {
      const value = changes.get(key);
      if (value !== REMOVED) setOwnProperty(copy, key, value);
    }
    // What the error's class reads from its internal slot or a private field (a DOMException's
    // name, Firefox's stack) is not in the copy: it holds the error's own text instead (never for a
    // name it was given above, censored, removed or as read).
    keepErrorText(copy, error, changes);
    return copy as unknown as Error;
  }

  /**
   * The new value of a link (`cause`, `errors`) of an error reached by `alive`: a path or key
   * pattern naming the link censors or removes it whole (an Error too, message and stack with
   * it); else the linked errors are redacted as Errors (same class), reached by the top path nodes
   * and by those that go on through the link ('cause.token', 'errors.token', 'errors.*.token'),
   * and any other value as the data of a property of that name. UNCHANGED, REMOVED or CIRCULAR
   * (the link leads back into `chain`) when so.
   */
  #redactLink(name: string, value: unknown, alive: readonly PathNode[], chain: Error[], done: Linked): unknown {
    const step = this.#step(alive, name);
    if (step === MATCH || (this.#keys.length !== 0 && this.#keyMatches(name))) return this.#redactEntry(name, value, alive, true);
    const tracks = typeof this.#censor === 'function';
    if (tracks) this.#path.push(name);
    try {
      if (name !== 'errors' || !Array.isArray(value))
        return this.#redactLinkedValue(value, step, this.#linkedNodes(step), chain, done);
      // One list for every item reached by the same nodes (all but one a number names), so an error
      // listed many times over is redacted once.
      let linked: readonly PathNode[] = NOTHING_ALIVE;
      let linkedFrom: readonly PathNode[] | undefined;
      const result = this.#redactItems(value, step, (item, through) => {
        if (through !== linkedFrom) {
          linked = this.#linkedNodes(through);
          linkedFrom = through;
        }
        const redacted = this.#redactLinkedValue(item, through, linked, chain, done);
        return redacted === UNCHANGED
          ? item
          : redacted === REMOVED
            ? undefined
            : redacted === CIRCULAR
              ? CIRCULAR_MARKER
              : redacted;
      });
      return result === value ? UNCHANGED : result;
    } finally {
      if (tracks) this.#path.pop();
    }
  }

  /** The path nodes a linked error is reached by: the top ones, as the exception is, and `nodes`, those that go on through the link. */
  #linkedNodes(nodes: readonly PathNode[]): readonly PathNode[] {
    return nodes.length === 0 ? this.#root : [...this.#root, ...nodes];
  }

  /**
   * A linked value reached by the path nodes `nodes` (those past the link's name): an Error
   * redacted as an Error (same class) reached by `linked`, or CIRCULAR when it is one of `chain`;
   * a plain object with a cause of its own likewise, its own properties reached by `nodes`; any
   * other value captured and redacted as data.
   */
  #redactLinkedValue(
    value: unknown,
    nodes: readonly PathNode[],
    linked: readonly PathNode[],
    chain: Error[],
    done: Linked,
  ): unknown {
    // The nodes its own properties are reached by: an Error's, `linked`; a plain object's with a cause of
    // its own (`{ code, cause: error }`), `nodes`, as any linked value's, while its cause links on as an
    // Error's does (formatters follow the cause of any value).
    let reach: readonly PathNode[] | undefined;
    try {
      reach = value instanceof Error ? linked : isPlainRecord(value) && Object.hasOwn(value, 'cause') ? nodes : undefined;
    } catch {
      // A Proxy whose getPrototypeOf trap throws: redacted as a value.
    }
    if (reach === undefined) return this.#redactRaw(value, nodes);
    if (chain.includes(value as Error)) return CIRCULAR;
    // An error listed many times over (Promise.any's reasons, one shared error for each) is redacted
    // once, and its copy shared: each visit would otherwise multiply the work by the list's length.
    // Reached by other nodes it may be redacted otherwise, so it is kept by the nodes too; by their
    // set, not the list: each link builds its own list, and an error many links share (one cause of
    // 30 errors, each of 30 such, …) would be redacted once per path to it, exponentially many.
    const known = done.get(value as Error);
    let redacted = known?.find(([nodes]) => sameNodes(nodes, reach))?.[1];
    if (redacted === undefined) {
      redacted = this.#redactError(value as Error, reach, chain, done);
      if (known === undefined) done.set(value as Error, [[reach, redacted]]);
      else known.push([reach, redacted]);
    }
    return redacted === value ? UNCHANGED : redacted;
  }

  /**
   * An array reached by `alive`, its items redacted: an index is a name `*` stands for
   * ('Users.*.password', pino's 'Users[*].password'), while the array stays transparent
   * ('Users.password'); a path ending in that `*` ('Tokens.*', pino's 'Tokens[*]') names each item
   * whole. Any other item is given to `each` with the nodes that reach it, and is what it returns.
   * A copy when an item changed, else the array.
   */
  #redactItems(
    array: readonly unknown[],
    alive: readonly PathNode[],
    each: (item: unknown, through: readonly PathNode[]) => unknown,
  ): readonly unknown[] {
    let through = alive;
    let items = false;
    let indexed = false;
    for (const node of alive) {
      if (node.indexes) indexed = true;
      const any = node.wildcard;
      if (any === undefined || through.includes(any)) continue;
      if (any.terminal) items = true;
      through = [...through, any];
    }
    let result: unknown[] | undefined;
    for (let i = 0; i < array.length; i++) {
      const item: unknown = array[i];
      // A number names that item too ('Users.0.password', 'Tokens.1': pino's users[0].password, tokens[1]).
      let whole = items;
      let reached = through;
      if (indexed && !whole)
        for (const node of alive) {
          const named = node.children.get(String(i));
          if (named === undefined) continue;
          if (named.terminal) whole = true;
          else if (!reached.includes(named)) reached = [...reached, named];
        }
      const redacted = whole ? (this.#remove ? undefined : this.#replacement(item)) : each(item, reached);
      if (redacted !== item) {
        result ??= array.slice();
        result[i] = redacted;
      }
    }
    return result ?? array;
  }

  #redactRecord(record: Record<string, unknown>, alive: readonly PathNode[], inPlace: boolean): Record<string, unknown> {
    let result = inPlace ? record : undefined;
    for (const key of Object.keys(record)) {
      const outcome = this.#redactEntry(key, record[key], alive, false);
      if (outcome === UNCHANGED) continue;
      result ??= copyOf(record);
      if (outcome === REMOVED) delete result[key];
      else setOwnProperty(result, key, outcome);
    }
    return result ?? record;
  }

  /** The entry's new value, or UNCHANGED, or REMOVED. */
  #redactEntry(key: string, value: unknown, alive: readonly PathNode[], raw: boolean): unknown {
    const step = this.#step(alive, key);
    const matched =
      step === MATCH ||
      (this.#keys.length !== 0 && this.#keyMatches(key)) ||
      // A name capture cut may have been the one a path or pattern names here: its value is censored.
      ((this.#keys.length !== 0 || alive.length !== 0) && isCutName(key));
    if (!matched && (!isObject(value) || (step.length === 0 && this.#keys.length === 0))) {
      if (value === CIRCULAR_MARKER) this.#loop(step);
      return UNCHANGED;
    }
    if (matched && this.#remove) return REMOVED;
    // The dotted path is kept only for a censor function, the one reader of it.
    const tracks = typeof this.#censor === 'function';
    if (tracks) this.#path.push(key);
    try {
      if (matched) return this.#replacement(value);
      if (raw) return this.#redactRaw(value, step);
      // Reached by no path (a key pattern's walk), no path goes on past a '[Circular]' below.
      const redacted = step.length === 0 ? this.#redactStructure(value, step) : this.#redactNested(value, step);
      return redacted !== value ? redacted : UNCHANGED;
    } finally {
      if (tracks) this.#path.pop();
    }
  }

  /**
   * A raw app value (an exception's own property or link) reached by `nodes`: captured first, as
   * the logger would, then redacted; UNCHANGED when nothing in it is named and nothing was cut.
   */
  #redactRaw(value: unknown, nodes: readonly PathNode[]): unknown {
    if (!isObject(value) || (nodes.length === 0 && this.#keys.length === 0)) return UNCHANGED;
    const data = captureValue(value, 'structure');
    const redacted = this.#redactNested(data, nodes);
    if (redacted !== data) return redacted;
    // What capture left out (below 10 levels, past 1 000 items) was never searched: the app's
    // object may hold a secret there, which a formatter would write (a plain-object cause as JSON).
    return wasCut(data) ? data : UNCHANGED;
  }

  /** Keeps the path nodes that reached a `'[Circular]'` (see `#redactNested`). */
  #loop(nodes: readonly PathNode[]): void {
    if (this.#loops !== undefined) for (const node of nodes) (this.#loops ??= new Set()).add(node);
  }

  /**
   * A structure redacted by the path nodes `alive`. Capture writes an object met again inside itself
   * as `'[Circular]'`: a path going on past one names what is in that object, one of the structures
   * the walk is in, this one perhaps (with `user.self === user`, `'User.self.password'` names the
   * user's password). So each structure is walked again with each node that reached a
   * `'[Circular]'` below it, and what it names there is redacted too (in a structure above the
   * one that stood for as well: that errs on the side of the censor). A walk that throws leaves
   * `#loops` as it was below: nothing reads it above the outermost structure.
   */
  #redactNested(value: unknown, alive: readonly PathNode[]): unknown {
    const outer = this.#loops;
    this.#loops = null;
    let result = this.#redactStructure(value, alive);
    // Made by the walk, if at all; a node the walks below add is visited too.
    const loops = this.#loops as Set<PathNode> | null;
    if (loops !== null) {
      // All of them in one walk, again only for nodes that walk adds: a walk for each node, at each
      // structure of each level, would multiply the work by their number once per level.
      for (let walked = 0; walked < loops.size;) {
        const nodes = [...loops].slice(walked);
        walked = loops.size;
        result = this.#redactStructure(result, nodes);
      }
      // The nodes go on up, to the structures above (the outermost keeps none).
      if (outer) for (const node of loops) outer.add(node);
    }
    this.#loops = outer === null ? loops : outer;
    return result;
  }

  #redactStructure(value: unknown, alive: readonly PathNode[]): unknown {
    if (Array.isArray(value))
      return this.#redactItems(value, alive, (item, through) => {
        if (item === CIRCULAR_MARKER) this.#loop(through);
        return !isObject(item)
          ? item
          : through.length === 0
            ? this.#redactStructure(item, through)
            : this.#redactNested(item, through);
      });
    // Arrays are handled above, so a plain record here is never an array. One with a toJSON() (never
    // captured data, which holds no functions) is written as what that gives: captured below, as the logger would.
    if (isPlainRecord(value) && typeof value.toJSON !== 'function') return this.#redactRecord(value, alive, false);
    if (!isObject(value)) return value;
    // Not captured yet (a Map, a class instance, an Error in an event an app built for the redact
    // operator): captured as the logger would, then redacted; left as it is when nothing is named.
    const data = captureValue(value, 'structure');
    if (!isPlainRecord(data) && !Array.isArray(data)) return value;
    const redacted = this.#redactNested(data, alive);
    return redacted !== data || wasCut(data) ? redacted : value;
  }

  /**
   * Follows every live path node over `key` (a key with dots counts as several names, so `'User.password'`
   * as one key is that path, and `'User.password.hash'` is below it).
   */
  #step(alive: readonly PathNode[], key: string): Step {
    if (alive.length === 0) return NOTHING_ALIVE;
    // A plain name (the common case) is followed without splitting it into a list.
    if (!key.includes('.')) return follow(alive, key);
    let step: Step = alive;
    for (const segment of key.split('.')) {
      step = follow(step, segment);
      // A path that ends part way names all that is below it: 'Headers' covers 'Headers.authorization'.
      if (step === MATCH) break;
    }
    return step;
  }

  /** Whether a key pattern matches `key`, or one of its names when it has dots (as `#step` reads it). */
  #keyMatches(key: string): boolean {
    // Untested, and taken for a match: a pattern's work grows with the name (see MAX_KEY_PATTERN_NAME).
    if (key.length > MAX_KEY_PATTERN_NAME) return true;
    // Split once, not once per pattern; a key without dots is its only name.
    const names = key.includes('.') ? key.split('.') : NO_NAMES;
    return this.#keys.some((pattern) => pattern.test(key) || names.some((name) => pattern.test(name)));
  }

  #replacement(value: unknown): unknown {
    const censor = this.#censor;
    if (typeof censor === 'string') return censor;
    const path = this.#path.join('.');
    try {
      return captureValue(censor(value, path));
    } catch (error) {
      // Only the kind of error (`SyntaxError`): its message may quote the value (JSON.parse, BigInt, the app's own text).
      SelfLog.write('redact: the censor function threw {Error} at {Path}; the default censor is used', errorKind(error), path);
      return DEFAULT_CENSOR;
    }
  }
}

/**
 * Whether captured data is cut short somewhere: a `'[MaxDepth]'` in place of a structure, or a
 * `'…N more'` in place of the items or keys past the limits (a string holding one exactly, or data
 * JSON cannot write, such as a bigint, counts too: the answer errs on the side of the copy).
 */
function wasCut(data: unknown): boolean {
  try {
    return /"(\[MaxDepth\]|…\d+ more)"/.test(JSON.stringify(data));
  } catch {
    return true;
  }
}

/** A quantifier at the start of the text it is tested on: `{n}`, `{n,}` or `{n,m}`. */
const BRACE_QUANTIFIER = /^\{(\d+)(,(\d*))?\}/;

/**
 * Whether `pattern` repeats (`*`, `+`, `{n,}`, `{n,m}` with m above 1) a group that holds a repeat
 * without bound (`*`, `+`, `{n,}`): nested quantifiers, as in `/(\w+\s?)*$/`, which backtrack
 * exponentially in the length of a name that almost matches (hours for 40 characters), and nothing
 * stops a RegExp part way. A key pattern runs inside the logging call on names that come from data,
 * so such a pattern is refused when the policy is built. Character classes and escapes are
 * skipped; a repeat of what holds no repeat (`(ab)+`) or a group at most once (`(\w+)?`) is fine.
 */
function repeatsARepeat(pattern: RegExp): boolean {
  const source = pattern.source;
  // With the v flag a class may hold classes: `[[a-z]--[aeiou]]`.
  const nestedClasses = pattern.flags.includes('v');
  // For each group open around the current place: whether what was read of it so far holds a repeat without bound.
  const open: boolean[] = [];
  let holds = false;
  let i = 0;
  while (i < source.length) {
    const char = source[i];
    // Whether the atom just read (a group) holds a repeat without bound.
    let atomHolds = false;
    if (char === '\\') {
      i += 2;
    } else if (char === '[') {
      i++;
      for (let depth = 1; i < source.length && depth > 0; i++) {
        if (source[i] === '\\') i++;
        else if (source[i] === '[' && nestedClasses) depth++;
        else if (source[i] === ']') depth--;
      }
    } else if (char === '(') {
      open.push(holds);
      holds = false;
      i++;
      continue;
    } else if (char === ')') {
      atomHolds = holds;
      holds = open.pop() ?? false;
      i++;
    } else {
      i++;
    }
    let max: number;
    const next = source[i];
    if (next === '*' || next === '+') {
      max = Infinity;
      i++;
    } else if (next === '?') {
      max = 1;
      i++;
    } else {
      const brace = next === '{' ? BRACE_QUANTIFIER.exec(source.slice(i)) : null;
      if (brace === null) {
        holds ||= atomHolds;
        continue;
      }
      max = !brace[0].includes(',') ? Number(brace[1]) : brace[3] === '' ? Infinity : Number(brace[3]);
      i += brace[0].length;
    }
    if (atomHolds && max > 1) return true;
    holds ||= atomHolds || max === Infinity;
    // A lazy repeat (`+?`) repeats as much.
    if (source[i] === '?') i++;
  }
  return false;
}

/** What capture leaves of a name it cut (`'userPasswo…[truncated 2 chars]'`, `'#1'` added when two cut names met), which no path or pattern can be tested on. */
const CUT_NAME = /…\[truncated \d+ chars\](?:#\d+)*$/;

/** Whether `key` is a name capture cut short (or one written to look like it: the answer errs on the side of the censor). */
function isCutName(key: string): boolean {
  // The shortest marker, '…[truncated 1 chars]', is 20 characters: a shorter name is tested no further.
  return key.length >= 20 && key.includes('…[truncated ') && CUT_NAME.test(key);
}

/** `record[key]`, or REMOVED when reading it throws (a getter on `name`, `message` or `stack`). */
function readOwn(record: Record<string, unknown>, key: string): unknown {
  try {
    return record[key];
  } catch {
    return REMOVED;
  }
}

/** Whether `name` is an own property of `error` that is not enumerable (as `message`, `stack` and `cause` are). */
function isHiddenOwn(error: Error, name: string): boolean {
  return Object.hasOwn(error, name) && !Object.prototype.propertyIsEnumerable.call(error, name);
}

/**
 * The stand-in for an error whose properties cannot be listed or copied (a Proxy whose traps
 * throw): an Error with only its name, message and stack (those that read as strings), so
 * whatever else it holds (a secret redaction would have removed) never reaches a sink. Told to
 * SelfLog.
 */
function unreadableError(error: Error, fault: unknown): Error {
  SelfLog.write('redact: unreadable exception sent as name, message, stack', fault);
  const copy = new Error();
  copy.stack = 'Error';
  for (const name of ['name', 'message', 'stack'] as const) {
    try {
      const value: unknown = error[name];
      if (typeof value === 'string') copy[name] = value;
    } catch {
      // Left as the plain Error's own.
    }
  }
  return copy;
}

/** How deep a chain of linked errors (`cause`, `errors`) is redacted; in a copy, a deeper link becomes `'[Truncated]'`. */
export const MAX_LINKED_ERRORS = 8;

/** What the linked errors met so far were redacted to, by error, for each set of path nodes they were reached by. */
type Linked = Map<Error, [readonly PathNode[], Error][]>;

/** Whether two lists hold the same path nodes, in any order. */
function sameNodes(a: readonly PathNode[], b: readonly PathNode[]): boolean {
  return a === b || (a.every((node) => b.includes(node)) && b.every((node) => a.includes(node)));
}

/** Marks a linked error that is already in the chain (a cycle). */
const CIRCULAR: unique symbol = Symbol('circular');
/** What a copy holds in place of a link deeper than `MAX_LINKED_ERRORS` (8). */
const TRUNCATED_MARKER = '[Truncated]';

/** Marks an entry the policy leaves as it is. */
const UNCHANGED: unique symbol = Symbol('unchanged');
/** Marks an entry the policy removes. */
const REMOVED: unique symbol = Symbol('removed');
