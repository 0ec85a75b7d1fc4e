import { baseUrlOption, checkOptionalText } from '../../../lib/sinks/http/http-option-checks';

describe('baseUrlOption', () => {
  it('gives the path without spaces and trailing slashes, and the query apart, without a fragment', () => {
    expect(baseUrlOption(' http://h:5341// ', 'SeqSink.serverUrl', "the Seq server's URL")).toEqual(['http://h:5341', '']);
    expect(baseUrlOption('https://gw/loki/?token=a?b#/explore', 'LokiSink.url', "Loki's base URL")).toEqual([
      'https://gw/loki',
      'token=a?b',
    ]);
  });

  it('refuses a blank or non-string URL', () => {
    expect(() => baseUrlOption('  ', 'LokiSink.url', "Loki's base URL")).toThrow(
      `LokiSink.url: expected Loki's base URL, got "  "`,
    );
    expect(() => baseUrlOption(undefined, 'LokiSink.url', "Loki's base URL")).toThrow('got undefined');
  });
});

describe('checkOptionalText', () => {
  it('lets undefined and a non-empty string through, and refuses anything else', () => {
    expect(() => checkOptionalText(undefined, 'LokiSink.tenantId')).not.toThrow();
    expect(() => checkOptionalText('tenant-1', 'LokiSink.tenantId')).not.toThrow();
    expect(() => checkOptionalText('', 'LokiSink.tenantId')).toThrow('LokiSink.tenantId: expected a non-empty string, got ""');
    expect(() => checkOptionalText(7, 'LokiSink.tenantId')).toThrow('got number 7');
  });
});
