import { ConfigurationError } from '../../../lib/core/errors/configuration-error';
import { urlCredentials } from '../../../lib/sinks/http/http-url-credentials';

const basic = (credentials: string): { Authorization: string } => ({
  Authorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
});

describe('urlCredentials', () => {
  it('takes the user and password out of the URL and gives them as basic auth, percent escapes decoded, in UTF-8', () => {
    expect(urlCredentials('https://ann:s%C3%A9cret%40x@logs.example:8443/ingest?a=1', 'HttpSink.url')).toEqual([
      'https://logs.example:8443/ingest?a=1',
      basic('ann:sécret@x'),
    ]);
    expect(urlCredentials('//ann:pw@logs.example/ingest', 'HttpSink.url')).toEqual(['//logs.example/ingest', basic('ann:pw')]);
  });

  it('takes a user without a password as one with an empty password, and an unescaped @ up to the last one before the host', () => {
    expect(urlCredentials('http://ann@h/', 'w')).toEqual(['http://h/', basic('ann:')]);
    expect(urlCredentials('http://ann:p@ss@h/x@y', 'w')).toEqual(['http://h/x@y', basic('ann:p@ss')]);
  });

  it('leaves a URL without credentials as it is', () => {
    for (const url of ['https://logs.example/ingest', 'https://@logs.example/', '/api/logs?to=a@b', 'https://h/path@x'])
      expect(urlCredentials(url, 'w')).toEqual([url, undefined]);
  });

  it('throws a ConfigurationError naming the option, and not the password, when an escape is not UTF-8', () => {
    expect(() => urlCredentials('https://ann:s3cr%E0%A4%A@h', 'SeqSink.serverUrl')).toThrow(
      new ConfigurationError('SeqSink.serverUrl: its user or password is not percent-encoded UTF-8'),
    );
  });
});
