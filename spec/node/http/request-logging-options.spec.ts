import { ConfigurationError } from '../../../lib/core/errors/configuration-error';
import { REQUEST_COMPLETED_TEMPLATE, resolveRequestLoggingOptions } from '../../../lib/node/http/request-logging-options';
import { countedHoles } from '../../helpers/counted-holes';

function cyclic(): object {
  const value: Record<string, unknown> = {};
  value.self = value;
  return value;
}

describe('resolveRequestLoggingOptions', () => {
  // Found by review: some() passed over a hole, which each request then read as a pattern (and
  // threw on), walked `new Array(1e8)` for seconds, and kept the app's own list, changed later.
  it('refuses a hole in ignorePaths at its index, at its first read, and keeps a list of its own', () => {
    const { array, reads } = countedHoles(100_000);
    expect(() => resolveRequestLoggingOptions({ ignorePaths: array as never })).toThrow(
      new ConfigurationError('requestLogging.ignorePaths[0]: expected a string or a regular expression, got undefined'),
    );
    expect(reads()).toBe(1);
    const paths: unknown[] = ['/health'];
    const resolved = resolveRequestLoggingOptions({ ignorePaths: paths as string[] });
    paths.push(null);
    expect(resolved.ignorePaths).toEqual(['/health']);
  });

  it('has the documented defaults', () => {
    const resolved = resolveRequestLoggingOptions();
    expect(resolved).toMatchObject({
      messageTemplate: REQUEST_COMPLETED_TEMPLATE,
      ignorePaths: [],
      requestHeaders: [],
      responseHeaders: [],
      requestIdHeader: 'x-request-id',
      trustIncomingRequestId: true,
      asyncLocalStorage: true,
    });
    expect([...resolved.redactHeaders]).toEqual(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);
  });

  it('takes ignored paths that start with a slash, and the asterisk of OPTIONS *', () => {
    expect(resolveRequestLoggingOptions({ ignorePaths: ['/health', '/', '*', /health/] }).ignorePaths).toEqual([
      '/health',
      '/',
      '*',
      /health/,
    ]);
  });

  it('lower-cases header names and adds redacted ones to the fixed list', () => {
    const resolved = resolveRequestLoggingOptions({ requestHeaders: ['User-Agent'], redactHeaders: ['X-Api-Key'] });
    expect(resolved.requestHeaders).toEqual(['user-agent']);
    expect(resolved.redactHeaders.has('x-api-key')).toBe(true);
    expect(resolved.redactHeaders.has('cookie')).toBe(true);
  });

  it.each([
    [{ ignorePaths: '/health' }, 'ignorePaths'],
    [{ ignorePaths: [42] }, 'ignorePaths'],
    [{ requestHeaders: 'accept' }, 'requestHeaders'],
    [{ redactHeaders: [1] }, 'redactHeaders'],
    [{ level: 'error' }, 'level'],
    [{ requestIdHeader: '' }, 'requestIdHeader'],
    // Not a header name (RFC 9110 §5.1, a token): Node refused to set it on every response, and
    // each request told SelfLog so, while the misspelt option itself was taken.
    [{ requestIdHeader: 'X-Request-Id ' }, 'requestIdHeader'],
    [{ requestIdHeader: 'request id' }, 'requestIdHeader'],
    [{ requestIdHeader: 'x-id\r\nset-cookie: a=b' }, 'requestIdHeader'],
    [{ messageTemplate: '' }, 'messageTemplate'],
    [{ generateRequestId: 'uuid' }, 'generateRequestId'],
    // Read as true: a config file's "false" let clients choose the ids after all.
    [{ trustIncomingRequestId: 'false' }, 'requestLogging.trustIncomingRequestId: expected true or false, got "false"'],
    [{ trustIncomingRequestId: 0 }, 'requestLogging.trustIncomingRequestId: expected true or false, got 0'],
    // Read as true too: a config file's "false" switched LogContext to AsyncLocalStorage after all.
    [{ asyncLocalStorage: 'false' }, 'requestLogging.asyncLocalStorage: expected true or false, got "false"'],
    // Values JSON cannot show: a bigint or a cycle threw JSON's TypeError instead, a function or a symbol read "got undefined".
    [{ messageTemplate: 10n }, 'requestLogging.messageTemplate: expected a message template, got bigint 10'],
    [{ requestHeaders: cyclic() }, 'requestLogging.requestHeaders: expected an array of header names, got Object'],
    [{ level: Symbol('warning') }, 'requestLogging.level: expected a function, got symbol Symbol(warning)'],
    [
      { requestIdHeader: () => 'x-id' },
      'requestLogging.requestIdHeader: expected a header name or false, got function requestIdHeader',
    ],
    [
      { ignorePaths: [() => '/health'] },
      'requestLogging.ignorePaths[0]: expected a string or a regular expression, got function (anonymous)',
    ],
    // A path no request has (RequestPath starts with a slash, without query or fragment) was taken
    // and never matched: health checks were logged after all.
    [{ ignorePaths: ['health'] }, 'requestLogging.ignorePaths: "health" never matches a request path'],
    [{ ignorePaths: ['/health?full=1'] }, 'requestLogging.ignorePaths: "/health?full=1" never matches a request path'],
    [{ ignorePaths: ['/ready', '/health#'] }, 'requestLogging.ignorePaths: "/health#" never matches a request path'],
    // A misspelt option was ignored: health checks were logged after all.
    [{ ignorePath: ['/health'] }, 'requestLogging: unknown option "ignorePath" (expected one of messageTemplate,'],
  ])('throws a ConfigurationError naming the bad option %#', (options, name) => {
    expect(() => resolveRequestLoggingOptions(options as never)).toThrow(ConfigurationError);
    expect(() => resolveRequestLoggingOptions(options as never)).toThrow(name);
  });
});
