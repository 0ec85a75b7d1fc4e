import { errorMessage, read, thrownMessage } from '../../lib/core/read-property';
import { SelfLog, type SelfLogEvent } from '../../lib/core/self-log';

describe('read', () => {
  it('returns the property, or for a getter that throws a marker with its message, telling SelfLog', () => {
    const diagnostics: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((event) => diagnostics.push(event));
    const source = {
      Id: 7,
      get User(): string {
        throw new Error('session expired');
      },
    };
    try {
      expect(read(source, 'Id')).toBe(7);
      expect(read(source, 'User')).toBe('[Throws: session expired]');
      expect(
        read(
          new Proxy(
            {},
            {
              get: () => {
                throw new Error('x'.repeat(300));
              },
            },
          ),
          'A',
        ),
      ).toBe(`[Throws: ${'x'.repeat(200)}…]`);
    } finally {
      subscription.unsubscribe();
    }
    expect(diagnostics).toHaveLength(2);
  });
});

describe('thrownMessage', () => {
  it('cuts a message at 200 characters before a surrogate pair it would split, never writing half of it', () => {
    expect(thrownMessage(new Error(`${'x'.repeat(199)}😀${'y'.repeat(50)}`))).toBe(`${'x'.repeat(199)}…`);
    expect(thrownMessage(new Error(`${'x'.repeat(198)}😀${'y'.repeat(50)}`))).toBe(`${'x'.repeat(198)}😀…`);
  });
});

describe('errorMessage', () => {
  it('gives an Error its message and anything else String(), and never throws', () => {
    expect(errorMessage(new TypeError('bad'))).toBe('bad');
    expect(errorMessage(42)).toBe('42');
    expect(
      errorMessage({
        toString: () => {
          throw new Error('no');
        },
      }),
    ).toBe('unprintable error');
  });
});
