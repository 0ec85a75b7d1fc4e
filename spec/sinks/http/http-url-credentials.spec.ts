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

  // fetch's URL parser reads these as a user and password too: left in the URL, fetch refused every request.
  it('takes out the user and password of every URL form fetch reads them in, giving the URL as the parser reads it', () => {
    for (const url of [
      'https:ann:pw@logs.example/ingest',
      'https:\\\\ann:pw@logs.example/ingest',
      ' https://ann:pw@logs.example/ingest',
      'ht\ttps://ann:p\nw@logs.example/ingest',
    ])
      expect([url, urlCredentials(url, 'w')]).toEqual([url, ['https://logs.example/ingest', basic('ann:pw')]]);
    expect(urlCredentials('https://logs.example\\x@y/', 'w')).toEqual(['https://logs.example\\x@y/', undefined]);
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
