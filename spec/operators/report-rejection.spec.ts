import { isThenable, reportRejection } from '../../lib/operators/report-rejection';
import { collectSelfLog } from '../helpers/self-log';

describe('isThenable', () => {
  it('is true for a Promise and any object or function with a then method, false for the rest', () => {
    expect(isThenable(Promise.resolve(1))).toBe(true);
    expect(isThenable({ then: () => undefined })).toBe(true);
    expect(isThenable(Object.assign(() => undefined, { then: () => undefined }))).toBe(true);
    for (const value of [undefined, null, 0, 'then', {}, { then: 1 }, []]) expect(isThenable(value)).toBe(false);
  });

  it('never throws: a revoked Proxy, or one whose then getter throws, is no thenable', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const hostile = {
      get then(): unknown {
        throw new Error('no then');
      },
    };
    expect(isThenable(proxy)).toBe(false);
    expect(isThenable(hostile)).toBe(false);
  });
});

describe('reportRejection', () => {
  it('reports a rejection to SelfLog with the error last, and leaves a fulfilled Promise or a plain value alone', async () => {
    const { diagnostics, stop } = collectSelfLog();
    try {
      reportRejection(Promise.reject(new Error('gone')), 'Hook {Name} failed', 'h');
      reportRejection(Promise.resolve(1), 'Hook {Name} failed', 'ok');
      reportRejection(undefined, 'Hook {Name} failed', 'sync');
      // A thenable whose then throws rejects the Promise made of it: reported, never thrown.
      reportRejection(
        {
          then: () => {
            throw new Error('bad then');
          },
        },
        'Hook {Name} failed',
        'thenable',
      );
      for (let turn = 0; turn < 5; turn++) await Promise.resolve();
    } finally {
      stop();
    }
    // In either order: a throwing `then` is called at once, and so rejects a turn sooner.
    expect(diagnostics.map((d) => [d.args[0], (d.args[1] as Error).message]).sort()).toEqual([
      ['h', 'gone'],
      ['thenable', 'bad then'],
    ]);
  });
});
