import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { redactUrl, redactUrlSecrets, urlSecrets } from '../../../lib/sinks/http/http-redact-url';

describe('redactUrl', () => {
  it('hides user:password@ and every query value, keeping the names', () => {
    expect(redactUrl('https://ann:pw@logs.example/ingest?token=abc&clef&apiKey=k%20y')).toBe(
      'https://***@logs.example/ingest?token=***&clef&apiKey=***',
    );
    expect(redactUrl('/api/logs?sig=xyz')).toBe('/api/logs?sig=***');
    expect(redactUrl('http://127.0.0.1:5341/api/events/raw?clef')).toBe('http://127.0.0.1:5341/api/events/raw?clef');
  });

  it('hides a value whose name follows a stray ? (?a?b=c), as one whose value holds one (?a=1?b=2)', () => {
    expect(redactUrl('/x?a?b=secret-1')).toBe('/x?a?b=***');
    expect(redactUrl('/x?a=secret-1?b=2&c=3')).toBe('/x?a=***&c=***');
    expect(urlSecrets('/x?a?b=secret-1')).toEqual(['secret-1']);
  });

  // A sink URL is the app's own, but a message may repeat one from anywhere: the scan is linear.
  // With a parameter name that could run over a `?`, each `?` started a scan to the end: 40 000 of
  // them took 6 s, the 400 000 here minutes. Run in a child process under a bound far above the
  // linear scan's milliseconds, since a synchronous call cannot be stopped by jest's timeout.
  it('scans a URL ending in 400 000 question marks in one pass', () => {
    const module = path.join(__dirname, '../../../lib/sinks/http/http-redact-url.ts');
    const script = [
      `const { redactUrl, urlSecrets } = require(${JSON.stringify(module)});`,
      "const url = '/x?t=secret-1&' + '?'.repeat(400_000);",
      "process.stdout.write(JSON.stringify([redactUrl(url) === '/x?t=***&' + '?'.repeat(400_000), urlSecrets(url)]));",
    ].join('\n');
    const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(child.signal).toBeNull();
    expect(JSON.parse(child.stdout)).toEqual([true, ['secret-1']]);
  });

  it('hides the user:password@ of a protocol-relative URL too', () => {
    expect(redactUrl('//ann:pw@logs.example/ingest')).toBe('//***@logs.example/ingest');
    expect(urlSecrets('//ann:pa55w0rd@logs.example/ingest')).toContain('pa55w0rd');
  });
  // fetch's URL parser reads these as a user and password too, yet they were shown as they were.
  it('hides the user and password of every URL form fetch reads them in, as the parser reads the URL', () => {
    for (const url of [
      'https:ann:pa55w0rd@host/a?x=1',
      'https:\\\\ann:pa55w0rd@host/a?x=1',
      ' https://ann:pa55w0rd@host/a?x=1',
      '\thttps://ann:pa55w0rd@host/a?x=1',
      'https://ann:pa55\nw0rd@host/a?x=1',
    ]) {
      expect([url, redactUrl(url)]).toEqual([url, 'https://***@host/a?x=***']);
      expect([url, urlSecrets(url)]).toEqual([url, expect.arrayContaining(['pa55w0rd'])]);
    }
  });

  it('counts the basic auth of the user and password among the secrets, as an echoed Authorization header shows it', () => {
    const token = Buffer.from('ann:pä55').toString('base64');
    expect(urlSecrets('https://ann:p%C3%A455@host/')).toContain(token);
    expect(redactUrlSecrets(`401: Authorization: Basic ${token}`, 'https://ann:p%C3%A455@host/')).toBe(
      '401: Authorization: Basic ***',
    );
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
