import { parseLevel } from '../core/log-level';
import { isSpanIdText, isTraceIdText, isZeroId } from '../core/trace-context';
import { readLevelAsWritten } from './read-as-written';
import { DEFAULT_OUTPUT_TEMPLATE } from '../formatting/text-formatter';
import type { EventFilter, PropertyCondition } from './event-matches';

/** What the `rxlog` command was asked to do. */
export interface CliOptions extends EventFilter {
  /** Every `--where`, in the order given. Default: none. */
  readonly where: readonly PropertyCondition[];
  /** How matching events are shown. Default `DEFAULT_OUTPUT_TEMPLATE`. */
  readonly template: string;
  /** Re-emit matching events as CLEF instead of text. Default `false`. */
  readonly json: boolean;
  /**
   * `true` for `--color` or `--color=always`, `false` for `--no-color` or `--color=never`; undefined (also
   * `--color=auto`): as the environment and stdout decide (see `colorsFromEnvironment`).
   */
  readonly color: boolean | undefined;
  /** Lines that are not events are errors instead of passed through. Default `false`. */
  readonly strict: boolean;
  /** The files to read, in order; `-` is stdin. Default `['-']`. */
  readonly files: readonly string[];
}

/** The outcome of reading the command line. */
export type CliArgsResult =
  | { readonly kind: 'ok'; readonly options: CliOptions }
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | { readonly kind: 'error'; readonly message: string };

const VALUE_OPTIONS = new Set(['--level', '--grep', '--where', '--template']);

/**
 * The values `--color=WHEN` takes, as GNU `ls` and `grep` read them (`git`, `rg` and `fd` take the first three):
 * `--color=always` is what scripts write (`rxlog --color=always app.log | less -R`).
 */
const COLOR_WHEN: Readonly<Record<string, boolean | undefined>> = {
  always: true,
  yes: true,
  force: true,
  never: false,
  no: false,
  none: false,
  auto: undefined,
  tty: undefined,
  'if-tty': undefined,
};
const FLAGS = new Set(['--json', '--color', '--no-color', '--strict', '--help', '-h', '--version']);

function error(message: string): CliArgsResult {
  return { kind: 'error', message };
}

function condition(text: string): PropertyCondition | string {
  const equals = text.indexOf('=');
  if (equals === -1) return `--where expects Name=value, got ${JSON.stringify(text)}`;
  const name = text.slice(0, equals);
  const value = text.slice(equals + 1);
  if (name === '') return `--where needs a property name before "=", got ${JSON.stringify(text)}`;
  // Another filter language's operator (Seq's `==`, `!=`, `>=`, `<=`) or `Name = value` with spaces would read as
  // a property named `UserId!` or `Name `, or a value `=42`, and match nothing, silently: refused instead.
  if (value.startsWith('=') || /[!<>]$/.test(name))
    return `--where compares with one "=" (Name=value) and nothing else, got ${JSON.stringify(text)}`;
  if (name.trim() !== name)
    return `--where: the property name ${JSON.stringify(name)} starts or ends with a space, in ${JSON.stringify(text)}`;
  switch (name) {
    case '@l':
      // CLEF's level, read as a line's level is (`Error`, `ERR`, `crit`): a name no line has would match nothing.
      try {
        return { name, value: parseLevel(readLevelAsWritten(value)) };
      } catch {
        return `--where @l: unknown level ${JSON.stringify(value)} (${LEVEL_NAMES})`;
      }
    case '@tr':
    case '@sp': {
      // A hex id, read in any case as the CLEF reader reads it (and kept lower-case): anything else no event has.
      const id = value.toLowerCase();
      const [valid, what] = name === '@tr' ? [isTraceIdText(id), 'trace id of 32'] : [isSpanIdText(id), 'span id of 16'];
      return valid && !isZeroId(id)
        ? { name, value: id }
        : `--where ${name}: expected a ${what} hex digits, not all zeros, got ${JSON.stringify(value)}`;
    }
    case '@t':
    case '@x':
    case '@r':
      // CLEF fields an exact text cannot usefully match; the property `@t` (`@@t`) they would otherwise name is
      // no line's either, so such a condition would silently show nothing.
      return `--where cannot compare ${name} (CLEF's ${UNCOMPARED[name]}); it compares @l, @i, @mt, @m, @tr, @sp and properties`;
    default:
      return { name, value };
  }
}

/** The CLEF fields `--where` refuses, as its message names them. */
const UNCOMPARED: Readonly<Record<string, string>> = { '@t': 'timestamp', '@x': 'exception', '@r': 'renderings' };

/** The level names a line and --level may have, as usage messages list them. */
const LEVEL_NAMES =
  'expected verbose (trace), debug, information (info), warning (warn), error, fatal, or critical, crit, err, VRB, DBG, INF, WRN, ERR, FTL';

/**
 * Reads the arguments of `rxlog [options] [file ...]` (without `node` and the script): `--level`,
 * `--grep`, `--where` (repeatable), `--template` take a value as the next argument or after `=`;
 * `--json`, `--color`, `--no-color`, `--strict` are flags, `--color` also `--color=always|never|auto` as `ls` and
 * `grep` take it (the last of `--color` / `--no-color` wins, as do the last `--level` and `--template`); a second `--grep` is a mistake (it would read as "and" or as
 * "or"), as is `--template` with `--json` (the CLEF output has no
 * template); `--help` / `-h` and `--version` win over everything else;
 * `--` ends the options; `-` is stdin. A mistake is an `error` result naming the bad value. Pure.
 *
 * @example parseCliArgs(['--level', 'warn', 'app.log']) // { kind: 'ok', options: { minimumLevel: 'warning', files: ['app.log'], … } }
 */
export function parseCliArgs(args: readonly string[]): CliArgsResult {
  let minimumLevel: CliOptions['minimumLevel'];
  let grep: string | undefined;
  const where: PropertyCondition[] = [];
  let template: string | undefined;
  let json = false;
  let color: boolean | undefined;
  let strict = false;
  let help = false;
  let version = false;
  const files: string[] = [];
  let problem: string | undefined;

  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      files.push(...args.slice(i + 1));
      break;
    }
    if (arg === '-' || !arg.startsWith('-')) {
      files.push(arg);
      continue;
    }
    const equals = arg.indexOf('=');
    const name = equals === -1 ? arg : arg.slice(0, equals);
    let value: string | undefined;
    if (VALUE_OPTIONS.has(name)) {
      if (equals !== -1) value = arg.slice(equals + 1);
      else if (i + 1 < args.length) value = args[++i];
      else {
        problem ??= `${name} needs a value`;
        continue;
      }
    } else if (name === '--color' && equals !== -1) {
      // `--color=WHEN`, as `ls` and `grep` take it: `=` only, since `--color always` names a file, as there.
      const when = arg.slice(equals + 1);
      if (Object.hasOwn(COLOR_WHEN, when)) color = COLOR_WHEN[when];
      else
        problem ??= `--color: expected always, never or auto (or yes, force, no, none, tty, if-tty), got ${JSON.stringify(when)}`;
      continue;
    } else if (FLAGS.has(name)) {
      if (equals !== -1) {
        problem ??= `${name} takes no value, got ${JSON.stringify(arg)}`;
        continue;
      }
    } else {
      problem ??= `unknown option ${JSON.stringify(arg)}`;
      continue;
    }
    switch (name) {
      case '--level':
        try {
          // The names a line's level may have are the names --level takes (`crit`, `ERR`: see readLevelAsWritten).
          minimumLevel = parseLevel(readLevelAsWritten(value), '--level');
        } catch {
          // Not parseLevel's message, which names configuration's names only: these are the names --help lists.
          problem ??= `--level: unknown level ${JSON.stringify(value)} (${LEVEL_NAMES})`;
        }
        break;
      case '--grep':
        // Refused, not the last one kept: a second --grep reads as "and" (as --where does) or as "or" (as grep -e
        // does), and keeping only the last would silently show events the first was meant to leave out.
        if (grep !== undefined) problem ??= `--grep may be given once, got ${JSON.stringify(grep)} and ${JSON.stringify(value)}`;
        else grep = value;
        break;
      case '--where': {
        const parsed = condition(value ?? '');
        if (typeof parsed === 'string') problem ??= parsed;
        else where.push(parsed);
        break;
      }
      case '--template':
        // `--template "$FORMAT"` with FORMAT unset: every event would show as a blank line, the filters seeming to work.
        if (value === '') problem ??= '--template is empty: every event would show as a blank line';
        template = value;
        break;
      case '--json':
        json = true;
        break;
      case '--color':
        color = true;
        break;
      case '--no-color':
        color = false;
        break;
      case '--strict':
        strict = true;
        break;
      case '--help':
      case '-h':
        help = true;
        break;
      case '--version':
        version = true;
        break;
    }
  }

  if (help) return { kind: 'help' };
  if (version) return { kind: 'version' };
  // Refused, not ignored: --json writes CLEF whatever the template, so a --template beside it
  // would be silently dropped and the user left wondering why their format did not apply.
  if (json && template !== undefined)
    problem ??= `--template ${JSON.stringify(template)} has no effect with --json, which writes CLEF; give one or the other`;
  if (problem !== undefined) return error(problem);
  return {
    kind: 'ok',
    options: {
      minimumLevel,
      grep,
      where,
      template: template ?? DEFAULT_OUTPUT_TEMPLATE,
      json,
      color,
      strict,
      files: files.length === 0 ? ['-'] : files,
    },
  };
}
