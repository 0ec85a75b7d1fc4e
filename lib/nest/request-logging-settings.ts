import { checkOptionKeys } from '../core/check-option-keys';
import { describeValue } from '../core/describe-value';
import { ConfigurationError } from '../core/errors/configuration-error';
import type { LogLevelName } from '../core/log-level';
import { checkedIgnorePaths, REQUEST_ABORTED_TEMPLATE } from '../node/http/request-logging-options';
import type { RxlogModuleOptions, RxlogRequestLoggingOptions } from './rxlog-module-options';

/** The default template of a request's completion event (Serilog.AspNetCore's). */
export const REQUEST_COMPLETION_TEMPLATE = 'HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0000} ms';

/** The keys of `RxlogRequestLoggingOptions`: any other is a misspelling, refused rather than ignored. */
const REQUEST_LOGGING_OPTION_NAMES: readonly (keyof RxlogRequestLoggingOptions)[] = [
  'ignorePaths',
  'level',
  'requestIdHeader',
  'messageTemplate',
  'abortedTemplate',
  'trustIncomingRequestId',
  'generateRequestId',
];

/** `RxlogModuleOptions.requestLogging` checked, with its defaults filled in. */
export interface RequestLoggingSettings {
  readonly enabled: boolean;
  readonly ignorePaths: readonly (string | RegExp)[];
  /** The app's level function; undefined for the default (`levelForStatus`, `error` for a failed request whatever its status). */
  readonly level: ((statusCode: number, error: unknown, elapsed: number) => LogLevelName) | undefined;
  readonly requestIdHeader: string | undefined;
  readonly messageTemplate: string;
  readonly abortedTemplate: string;
  readonly trustIncomingRequestId: boolean;
  /** The app's id generator; undefined for `crypto.randomUUID`. */
  readonly generateRequestId: (() => string) | undefined;
}

/**
 * Checks the request-logging options and fills in their defaults.
 *
 * @throws ConfigurationError naming the bad option.
 */
export function requestLoggingSettings(options: RxlogModuleOptions): RequestLoggingSettings {
  const value: unknown = options.requestLogging ?? true;
  if (typeof value !== 'boolean' && (typeof value !== 'object' || value === null))
    throw new ConfigurationError(`RxlogModule requestLogging: expected true, false or options, got ${describeValue(value)}`);
  const given: RxlogRequestLoggingOptions = typeof value === 'object' ? value : {};
  checkOptionKeys('RxlogModule requestLogging', given, REQUEST_LOGGING_OPTION_NAMES);
  const ignorePaths = checkedIgnorePaths(
    given.ignorePaths ?? [],
    'RxlogModule requestLogging.ignorePaths',
    'RegExp',
    describeValue,
  );
  const level: unknown = given.level;
  if (level !== undefined && typeof level !== 'function')
    throw new ConfigurationError(`RxlogModule requestLogging.level: expected a function, got ${describeValue(level)}`);
  const header: unknown = given.requestIdHeader ?? 'x-request-id';
  if (header !== false && (typeof header !== 'string' || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(header)))
    throw new ConfigurationError(
      `RxlogModule requestLogging.requestIdHeader: expected a header name or false, got ${describeValue(header)}`,
    );
  const template: unknown = given.messageTemplate ?? REQUEST_COMPLETION_TEMPLATE;
  if (typeof template !== 'string' || template === '')
    throw new ConfigurationError(
      `RxlogModule requestLogging.messageTemplate: expected a template, got ${describeValue(template)}`,
    );
  const aborted: unknown = given.abortedTemplate ?? REQUEST_ABORTED_TEMPLATE;
  if (typeof aborted !== 'string' || aborted === '')
    throw new ConfigurationError(
      `RxlogModule requestLogging.abortedTemplate: expected a template, got ${describeValue(aborted)}`,
    );
  const trust: unknown = given.trustIncomingRequestId ?? true;
  if (typeof trust !== 'boolean')
    throw new ConfigurationError(
      `RxlogModule requestLogging.trustIncomingRequestId: expected true or false, got ${describeValue(trust)}`,
    );
  const generate: unknown = given.generateRequestId;
  if (generate !== undefined && typeof generate !== 'function')
    throw new ConfigurationError(
      `RxlogModule requestLogging.generateRequestId: expected a function, got ${describeValue(generate)}`,
    );
  return {
    enabled: value !== false,
    ignorePaths: ignorePaths,
    level: level as RequestLoggingSettings['level'],
    requestIdHeader: header === false ? undefined : header,
    messageTemplate: template,
    abortedTemplate: aborted,
    trustIncomingRequestId: trust,
    generateRequestId: generate as RequestLoggingSettings['generateRequestId'],
  };
}
