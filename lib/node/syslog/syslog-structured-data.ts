import { renderValue } from '../../templates/render-template';
import { syslogHeaderField } from './syslog-header-field';

/** The SD-ID used when none is configured: `rxlog` under the enterprise number RFC 5612 reserves for documentation. */
export const DEFAULT_STRUCTURED_DATA_ID = 'rxlog@32473';

/** Characters RFC 5424 forbids in an SD-NAME besides those outside printable US-ASCII. */
const SD_NAME_FORBIDDEN = '="]';
const NEEDS_ESCAPE = /["\\\]]/;
const ESCAPES = /["\\\]]/g;

/** A property name as an RFC 5424 PARAM-NAME: printable US-ASCII except `= ] "`, at most 32 characters. */
export function syslogParamName(name: string): string {
  const sanitised = syslogHeaderField(name, 32, SD_NAME_FORBIDDEN);
  // '-' is the header's NILVALUE; a name that sanitises to nothing still needs a name.
  return sanitised === '-' && name !== '-' ? '_' : sanitised;
}

/** A value as an RFC 5424 PARAM-VALUE: `"`, `\` and `]` escaped with a backslash. */
export function syslogParamValue(value: string): string {
  return NEEDS_ESCAPE.test(value) ? value.replace(ESCAPES, '\\$&') : value;
}

/**
 * An event's properties as RFC 5424 SD-PARAMs, ` Name="value"` each (its leading space included),
 * in property order: strings bare, other values rendered as in messages (structures as compact
 * JSON); undefined values, and properties whose getter throws, left out (all of them when they
 * cannot be listed). A name that sanitising or
 * cutting makes alike another property's, or that differs from an earlier one only in case, gets
 * `_2`, `_3` … (see uniqueParamName).
 *
 * @param maxValueLength Values rendered longer than this, in UTF-16 units, are left out before they
 *   are escaped: a message of that many bytes could never hold them (a unit is at least a byte, and
 *   escaping only lengthens), and escaping megabytes only to drop them blocked the caller for seconds.
 * @param onLeftOut Called for each value left out for its length.
 * @example syslogStructuredDataParams({ UserId: 42, Path: '/a]b' }) // [' UserId="42"', ' Path="/a\]b"']
 */
export function syslogStructuredDataParams(
  properties: Readonly<Record<string, unknown>>,
  maxValueLength = Number.POSITIVE_INFINITY,
  onLeftOut?: () => void,
): string[] {
  const params: string[] = [];
  let names: string[];
  try {
    names = Object.keys(properties);
  } catch {
    // Properties that cannot be listed (null, a revoked Proxy: an event built in JavaScript) are none.
    return params;
  }
  /** The names given so far; with many properties, lower-cased in a set instead of scanned. */
  const given: string[] = [];
  const givenSet = names.length > MAX_SCANNED ? new Set<string>() : undefined;
  /** Every property's own name and the names given so far, lower-cased: made only once a name has to change. */
  let taken: Set<string> | undefined;
  for (const name of names) {
    let value: unknown;
    try {
      value = properties[name];
    } catch {
      continue;
    }
    if (value === undefined) continue;
    const rendered = renderValue(value);
    if (rendered.length > maxValueLength) {
      onLeftOut?.();
      continue;
    }
    let paramName = syslogParamName(name);
    if (paramName !== name || (givenSet === undefined ? givenAlike(given, paramName) : givenSet.has(paramName.toLowerCase()))) {
      // Until a first name changes, every name given is a property's own.
      taken ??= new Set(names.map((n) => n.toLowerCase()));
      paramName = uniqueParamName(paramName, taken);
      taken.add(paramName.toLowerCase());
    }
    if (givenSet === undefined) given.push(paramName);
    else givenSet.add(paramName.toLowerCase());
    params.push(` ${paramName}="${syslogParamValue(rendered)}"`);
  }
  return params;
}

/** Up to this many properties, the names given are scanned rather than kept in a set: no allocation for a usual event. */
const MAX_SCANNED = 16;

/** Whether `name` was given already, in any case (names are ASCII: only names of its length can match). */
function givenAlike(given: readonly string[], name: string): boolean {
  for (let i = 0; i < given.length; i++) {
    const other = given[i];
    if (other.length === name.length && (other === name || other.toLowerCase() === name.toLowerCase())) return true;
  }
  return false;
}

/**
 * `name`, or when a property already has it, in any case (a sanitised or cut name alike another's,
 * or `userId` after `UserId`), the first of `name_2`, `name_3` … not taken, cut to fit 32
 * characters. RFC 5424 lets a PARAM-NAME repeat, and its names are case-sensitive, but receivers
 * that map names to values keep only the last: rsyslog's mmpstrucdata, whose JSON keys also ignore
 * case (with `sd_name.lowercase="off"` too), so a property would vanish at the receiver.
 *
 * @param taken Lower-cased names not to give.
 */
function uniqueParamName(name: string, taken: ReadonlySet<string>): string {
  if (!taken.has(name.toLowerCase())) return name;
  for (let n = 2; ; n++) {
    const suffix = `_${n}`;
    const candidate = name.slice(0, 32 - suffix.length) + suffix;
    if (!taken.has(candidate.toLowerCase())) return candidate;
  }
}

/**
 * SD-PARAMs (from syslogStructuredDataParams) as one SD-ELEMENT, `[rxlog@32473 Name="value" …]`;
 * without any it is the NILVALUE `-`.
 *
 * @param id The SD-ID, already valid.
 */
export function syslogSdElement(params: readonly string[], id: string): string {
  return params.length === 0 ? '-' : `[${id}${params.join('')}]`;
}

/**
 * An event's properties as one RFC 5424 SD-ELEMENT, `[rxlog@32473 Name="value" …]`: strings bare,
 * other values rendered as in messages (structures as compact JSON), undefined values left out.
 * Without properties it is the NILVALUE `-`.
 *
 * @param id The SD-ID, already valid. Default `rxlog@32473`.
 * @example syslogStructuredData({ UserId: 42, Path: '/a]b' }) // '[rxlog@32473 UserId="42" Path="/a\]b"]'
 */
export function syslogStructuredData(properties: Readonly<Record<string, unknown>>, id = DEFAULT_STRUCTURED_DATA_ID): string {
  return syslogSdElement(syslogStructuredDataParams(properties), id);
}
