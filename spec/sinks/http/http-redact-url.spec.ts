import { redactUrl, redactUrlSecrets, urlSecrets } from '../../../lib/sinks/http/http-redact-url';

describe('redactUrl', () => {
  it('hides user:password@ and every query value, keeping the names', () => {
    expect(redactUrl('https://ann:pw@logs.example/ingest?token=abc&clef&apiKey=k%20y')).toBe(
      'https://***@logs.example/ingest?token=***&clef&apiKey=***',
    );
    expect(redactUrl('/api/logs?sig=xyz')).toBe('/api/logs?sig=***');
    expect(redactUrl('http://127.0.0.1:5341/api/events/raw?clef')).toBe('http://127.0.0.1:5341/api/events/raw?clef');
  });

  it('hides the user:password@ of a protocol-relative URL too', () => {
    expect(redactUrl('//ann:pw@logs.example/ingest')).toBe('//***@logs.example/ingest');
    expect(urlSecrets('//ann:pa55w0rd@logs.example/ingest')).toContain('pa55w0rd');
  });
});

describe('redactUrlSecrets', () => {
  it('hides the URL and its secrets, raw or percent-decoded, wherever a message repeats them', () => {
    const url = 'http://ann:pa55w0rd@h/x?token=a%2Fb-secret';
    expect(urlSecrets(url)).toContain('pa55w0rd');
    const text = redactUrlSecrets(`failed: ${url}; token a/b-secret; user ann:pa55w0rd`, url);
    expect(text).not.toMatch(/pa55w0rd|a%2Fb-secret|a\/b-secret/);
  });
});
