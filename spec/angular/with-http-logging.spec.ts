import './test-injector'; // first: loads Angular's JIT compiler
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigurationError } from '../../lib/index';
import { RXLOG_HTTP_LOGGING_OPTIONS, withHttpLogging } from '../../lib/angular/index';
import { countedHoles } from '../helpers/counted-holes';

void describe('withHttpLogging', () => {
  void it('is a feature that provides its options', () => {
    const options = { correlation: 'traceparent' as const };
    const feature = withHttpLogging(options);
    assert.equal(feature.kind, 'http-logging');
    assert.deepEqual(feature.providers, [{ provide: RXLOG_HTTP_LOGGING_OPTIONS, useValue: options }]);
  });

  // The options object itself was provided: a change made to it after withHttpLogging checked it
  // (an empty prefix pushed to excludeUrls, which covers every request) reached the interceptor.
  void it('provides the options as they were when checked', () => {
    const options: { correlation: 'traceparent'; excludeUrls: string[]; sourceContext?: unknown } = {
      correlation: 'traceparent',
      excludeUrls: ['/health'],
    };
    const feature = withHttpLogging(options as never);
    options.excludeUrls.push('');
    options.sourceContext = 42;
    assert.deepEqual(feature.providers, [
      { provide: RXLOG_HTTP_LOGGING_OPTIONS, useValue: { correlation: 'traceparent', excludeUrls: ['/health'] } },
    ]);
  });

  // Found by review: excludeUrls was copied whole before its first item was checked: a list of 1e8
  // holes held the page while the copy took memory for every one.
  void it('refuses a hole in excludeUrls at its index, at its first read', () => {
    const { array, reads } = countedHoles(100_000);
    assert.throws(
      () => withHttpLogging({ excludeUrls: array as string[] }),
      (error: unknown) =>
        error instanceof ConfigurationError &&
        error.message === 'withHttpLogging.excludeUrls[0]: expected a URL prefix, got undefined',
    );
    assert.equal(reads(), 1);
  });

  void it('throws a ConfigurationError naming a bad option', () => {
    const bad: [unknown, RegExp][] = [
      [null, /expected an options object, got null/],
      [{ level: 'error' }, /withHttpLogging\.level/],
      [{ correlation: 'b3' }, /withHttpLogging\.correlation: .*"b3"/],
      [{ requestIdHeader: 'bad header' }, /withHttpLogging\.requestIdHeader: not a header name: "bad header"/],
      [{ excludeUrls: '/ingest' }, /withHttpLogging\.excludeUrls/],
      [{ excludeUrls: [42] }, /withHttpLogging\.excludeUrls/],
      // '' is the page's own base URL: every request of the app went unlogged.
      [{ excludeUrls: ['/health', ''] }, /withHttpLogging\.excludeUrls\[1\]: expected a URL prefix, got ""/],
      [{ excludeUrls: ['  '] }, /withHttpLogging\.excludeUrls\[0\]: expected a URL prefix, got " {2}"/],
      [{ sourceContext: '' }, /withHttpLogging\.sourceContext/],
      [{ redactQueryValues: 'no' }, /withHttpLogging\.redactQueryValues: expected a boolean, got "no"/],
      // A misspelt option silently meant its default (here: query values still redacted).
      [{ redactQueryValue: false }, /withHttpLogging: unknown option "redactQueryValue" \(expected one of redactQueryValues, /],
    ];
    for (const [options, message] of bad) {
      assert.throws(
        () => withHttpLogging(options as never),
        (error: unknown) => error instanceof ConfigurationError && message.test(error.message),
        JSON.stringify(options),
      );
    }
  });
});
