import { lineHalves } from '../../../lib/sinks/http/line-halves';

describe('lineHalves', () => {
  it('cuts a body of one line per event into its first ceil(n / 2) lines and the rest', () => {
    expect(lineHalves({ body: 'a\nb\nc', count: 3 })).toEqual([
      { body: 'a\nb', count: 2 },
      { body: 'c', count: 1 },
    ]);
    expect(lineHalves({ body: '\n', count: 2 })).toEqual([
      { body: '', count: 1 },
      { body: '', count: 1 },
    ]);
  });

  it('cannot cut a single event, nor a body whose lines are not its events', () => {
    expect(lineHalves({ body: 'a', count: 1 })).toBeUndefined();
    // A formatter that wrote two lines for one event (a stack trace), or a body that left one out.
    expect(lineHalves({ body: 'a\n  at f\nb', count: 2 })).toBeUndefined();
    expect(lineHalves({ body: 'a', count: 2 })).toBeUndefined();
  });
});
