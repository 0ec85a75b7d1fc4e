import { HttpBeacon } from '../../../lib/sinks/http/http-beacon';
import { installFakePage } from '../../helpers/fake-page';

describe('HttpBeacon', () => {
  let page: ReturnType<typeof installFakePage>;

  beforeEach(() => {
    page = installFakePage();
  });

  afterEach(() => page.restore());

  it('is detected only where addEventListener and navigator.sendBeacon exist', () => {
    const beacon = HttpBeacon.detect('http://h/', 'text/plain');
    expect(beacon).toBeInstanceOf(HttpBeacon);
    beacon?.close();
    page.restore();
    expect(HttpBeacon.detect('http://h/', 'text/plain')).toBeUndefined();
  });

  it('knows the page is hiding after pagehide, while hidden, and inside whileHiding', () => {
    const beacon = HttpBeacon.detect('http://h/', 'text/plain');
    expect(beacon?.hiding).toBe(false);
    page.hide();
    expect(beacon?.hiding).toBe(true);
    page.show();
    expect(beacon?.hiding).toBe(false);
    page.setVisibility('hidden');
    expect(beacon?.hiding).toBe(true);
    page.setVisibility('visible');
    let inside: boolean | undefined;
    HttpBeacon.whileHiding(() => (inside = beacon?.hiding));
    expect(inside).toBe(true);
    expect(beacon?.hiding).toBe(false);
    beacon?.close();
  });

  it('sends a body as a Blob of its content type and reports whether the browser took it', async () => {
    const beacon = HttpBeacon.detect('http://h/in', 'application/json');
    expect(beacon?.send('{"a":1}')).toBe(true);
    page.accept = () => false;
    expect(beacon?.send('{"a":2}')).toBe(false);
    await page.settled();
    expect(page.beacons).toEqual([{ url: 'http://h/in', body: '{"a":1}', type: 'application/json' }]);
    beacon?.close();
  });
});
