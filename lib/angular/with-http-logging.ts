import { checkOptionKeys } from '../core/check-option-keys';
import { describeValue } from '../core/describe-value';
import { ConfigurationError } from '../core/errors/configuration-error';
import { checkItems } from '../core/expect-option';
import { readOptions } from '../core/read-options';
import { type HttpLoggingOptions, RXLOG_HTTP_LOGGING_OPTIONS } from './http-logging-options';
import { rxlogFeature, type RxlogFeature } from './rxlog-feature';

/**
 * A `provideRxlog` feature: the options of `rxlogHttpInterceptor`, which logs every HttpClient
 * request when it completes or fails. The interceptor itself goes in
 * `provideHttpClient(withInterceptors([rxlogHttpInterceptor]))`; without this feature it logs with
 * the defaults.
 *
 * @throws ConfigurationError naming a bad option.
 * @example
 * providers: [
 *   provideHttpClient(withFetch(), withInterceptors([rxlogHttpInterceptor])),
 *   provideRxlog(configure, withHttpLogging({ correlation: 'traceparent' })),
 * ]
 */
export function withHttpLogging(options: HttpLoggingOptions = {}): RxlogFeature<'http-logging'> {
  return rxlogFeature('http-logging', [{ provide: RXLOG_HTTP_LOGGING_OPTIONS, useValue: checkedHttpLoggingOptions(options) }]);
}

/**
 * The options, each read once, checked: what is checked is what the interceptor reads, and a
 * later change to the object (an `excludeUrls` pushed to, an option set) cannot pass unchecked.
 *
 * @throws ConfigurationError naming a bad option.
 */
export function checkedHttpLoggingOptions(options: HttpLoggingOptions): HttpLoggingOptions {
  if (typeof (options as unknown) !== 'object' || (options as unknown) === null)
    throw new ConfigurationError(`withHttpLogging: expected an options object, got ${describeValue(options)}`);
  // A misspelt option would silently mean its default: `redactQueryValue: false` kept redacting.
  checkOptionKeys('withHttpLogging', options, OPTION_NAMES);
  const snapshot: HttpLoggingOptions = { ...readOptions('withHttpLogging', options, OPTION_NAMES) };
  // Its own copy of the list (one pushed to later is not what was checked), made item by item, each
  // checked as read (checkItems): a copy made whole first took a list of 1e8 holes hole by hole.
  const excludeUrls: unknown = snapshot.excludeUrls;
  if (Array.isArray(excludeUrls))
    snapshot.excludeUrls = checkItems(excludeUrls, (url, index) => {
      // An empty prefix is the page's base URL, which covers every request of the app.
      if (typeof url !== 'string' || url.trim() === '')
        throw new ConfigurationError(`withHttpLogging.excludeUrls[${index}]: expected a URL prefix, got ${describeValue(url)}`);
      return url;
    });
  checkOptions(snapshot);
  return snapshot;
}

const OPTION_NAMES = ['redactQueryValues', 'level', 'correlation', 'requestIdHeader', 'excludeUrls', 'sourceContext'];

function checkOptions(options: HttpLoggingOptions): void {
  const { redactQueryValues, level, correlation, requestIdHeader, excludeUrls, sourceContext } = options;
  if (redactQueryValues !== undefined && typeof redactQueryValues !== 'boolean')
    throw new ConfigurationError(
      `withHttpLogging.redactQueryValues: expected a boolean, got ${describeValue(redactQueryValues)}`,
    );
  if (level !== undefined && typeof level !== 'function')
    throw new ConfigurationError(`withHttpLogging.level: expected a function of the status, got ${describeValue(level)}`);
  if (correlation !== undefined && !['none', 'traceparent', 'request-id'].includes(correlation))
    throw new ConfigurationError(
      `withHttpLogging.correlation: expected 'none', 'traceparent' or 'request-id', got ${JSON.stringify(correlation)}`,
    );
  if (
    requestIdHeader !== undefined &&
    (typeof requestIdHeader !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(requestIdHeader))
  )
    throw new ConfigurationError(`withHttpLogging.requestIdHeader: not a header name: ${JSON.stringify(requestIdHeader)}`);
  // Its items are checked as they are copied (checkedHttpLoggingOptions).
  if (excludeUrls !== undefined && !Array.isArray(excludeUrls))
    throw new ConfigurationError(
      `withHttpLogging.excludeUrls: expected an array of URL prefixes, got ${describeValue(excludeUrls)}`,
    );
  if (sourceContext !== undefined && (typeof sourceContext !== 'string' || sourceContext === ''))
    throw new ConfigurationError(
      `withHttpLogging.sourceContext: expected a non-empty string, got ${describeValue(sourceContext)}`,
    );
}
