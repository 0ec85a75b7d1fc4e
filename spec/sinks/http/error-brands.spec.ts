import { FileSizeLimitError } from '../../../lib/node/file/file-size-limit-error';
import { HttpStatusError } from '../../../lib/sinks/http/http-status-error';
import { HttpTimeoutError } from '../../../lib/sinks/http/http-timeout-error';
import { OtlpRequestTooLargeError } from '../../../lib/sinks/http/otlp-request-too-large-error';
import { secondCopy } from '../../helpers/second-copy';

// An app that both requires and imports rxlog loads its CommonJS and ES module builds: a sink
// made by one copy failed with errors that `instanceof` of the other copy's classes refused, so
// `lastError instanceof HttpStatusError` was false for the very error it names. These errors now
// carry the mark every copy shares, as ConfigurationError and BrokenCircuitError do.
describe('the HTTP sinks’ and FileSink’s errors across two copies of rxlog', () => {
  it('HttpStatusError passes instanceof of either copy (instanceof usual for a subclass)', async () => {
    const { HttpStatusError: Foreign } = await secondCopy(() => import('../../../lib/sinks/http/http-status-error'));
    expect(Foreign).not.toBe(HttpStatusError);
    expect(new Foreign('POST', 'http://h/', 503, 'Service Unavailable', undefined)).toBeInstanceOf(HttpStatusError);
    expect(new HttpStatusError('POST', 'http://h/', 503, 'Service Unavailable', undefined)).toBeInstanceOf(Foreign);
    class Special extends HttpStatusError {}
    expect(new Foreign('POST', 'http://h/', 503, '', undefined)).not.toBeInstanceOf(Special);
    expect(new Error('plain')).not.toBeInstanceOf(HttpStatusError);
    expect(new HttpTimeoutError('POST', 'http://h/', 1)).not.toBeInstanceOf(HttpStatusError);
  });

  it('HttpTimeoutError passes instanceof of either copy', async () => {
    const { HttpTimeoutError: Foreign } = await secondCopy(() => import('../../../lib/sinks/http/http-timeout-error'));
    expect(Foreign).not.toBe(HttpTimeoutError);
    expect(new Foreign('POST', 'http://h/', 250)).toBeInstanceOf(HttpTimeoutError);
    expect(new HttpTimeoutError('POST', 'http://h/', 250)).toBeInstanceOf(Foreign);
    expect(new Error('plain')).not.toBeInstanceOf(HttpTimeoutError);
  });

  it('OtlpRequestTooLargeError passes instanceof of either copy', async () => {
    const { OtlpRequestTooLargeError: Foreign } = await secondCopy(
      () => import('../../../lib/sinks/http/otlp-request-too-large-error'),
    );
    expect(Foreign).not.toBe(OtlpRequestTooLargeError);
    expect(new Foreign(10, 5)).toBeInstanceOf(OtlpRequestTooLargeError);
    expect(new OtlpRequestTooLargeError(10, 5)).toBeInstanceOf(Foreign);
    expect(new Error('plain')).not.toBeInstanceOf(OtlpRequestTooLargeError);
  });

  it('FileSizeLimitError passes instanceof of either copy', async () => {
    const { FileSizeLimitError: Foreign } = await secondCopy(() => import('../../../lib/node/file/file-size-limit-error'));
    expect(Foreign).not.toBe(FileSizeLimitError);
    expect(new Foreign('/tmp/a.log', 10)).toBeInstanceOf(FileSizeLimitError);
    expect(new FileSizeLimitError('/tmp/a.log', 10)).toBeInstanceOf(Foreign);
    expect(new Error('plain')).not.toBeInstanceOf(FileSizeLimitError);
  });

  it('prints no mark on an instance', () => {
    expect(Object.getOwnPropertySymbols(new HttpStatusError('POST', 'http://h/', 500, '', undefined))).toEqual([]);
    expect(Object.getOwnPropertySymbols(new FileSizeLimitError('/tmp/a.log', 10))).toEqual([]);
  });
});
