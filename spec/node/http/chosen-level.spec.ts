import { SelfLog, type SelfLogEvent } from '../../../lib/core/self-log';
import { chosenLevel } from '../../../lib/node/http/chosen-level';
import { nextMacrotask, selfResolvingThenable } from '../../helpers/self-resolving-thenable';
import { unhandledRejectionsOf } from '../../helpers/unhandled-rejections';

describe('chosenLevel', () => {
  let diagnostics: SelfLogEvent[];
  let subscription: { unsubscribe(): void };
  beforeEach(() => {
    diagnostics = [];
    subscription = SelfLog.events$.subscribe((event) => diagnostics.push(event));
  });
  afterEach(() => subscription.unsubscribe());

  it('takes the option’s answer when it is a level name', () => {
    expect(chosenLevel(() => 'debug', 'information')).toBe('debug');
    expect(diagnostics).toHaveLength(0);
  });

  it('falls back, telling SelfLog, when the option answers no level name or throws', () => {
    expect(chosenLevel(() => 'loud', 'warning')).toBe('warning');
    expect(
      chosenLevel(() => {
        throw new Error('broken');
      }, 'error'),
    ).toBe('error');
    expect(diagnostics.map((event) => event.message)).toEqual([
      expect.stringContaining('requestLogging.level returned loud, not a level name'),
      expect.stringContaining('requestLogging.level threw'),
    ]);
  });

  // An async level function gave a Promise: "returned [object Promise]" in SelfLog, and when it
  // rejected, an unhandled rejection (which ends a Node process by default).
  // The two rejections are reported in either order: a throwing `then` is called at once now.
  it('falls back when the option returns a Promise, naming the option, and handles its rejection', async () => {
    const unhandled = await unhandledRejectionsOf(() => {
      const rejecting = (async () => {
        await Promise.resolve();
        throw new Error('level service down');
      }) as unknown as () => unknown;
      const hostile = {
        then: () => {
          throw new Error('then threw');
        },
      };
      expect(chosenLevel(rejecting, 'warning')).toBe('warning');
      expect(chosenLevel(async () => 'debug', 'information')).toBe('information');
      expect(chosenLevel(() => hostile, 'error')).toBe('error');
    });
    expect(unhandled).toEqual([]);
    expect(diagnostics.map((event) => event.message)).toEqual([
      expect.stringContaining('requestLogging.level returned a Promise'),
      expect.stringContaining('requestLogging.level returned a Promise'),
      expect.stringContaining('requestLogging.level returned a Promise'),
      expect.stringContaining('requestLogging.level rejected'),
      expect.stringContaining('requestLogging.level rejected'),
    ]);
    expect(
      diagnostics
        .filter((event) => event.message.includes('rejected'))
        .map((event) => (event.args.at(-1) as Error).message)
        .sort(),
    ).toEqual(['level service down', 'then threw']);
  });

  // A level function returning a thenable that fulfils with itself was adopted for ever by
  // Promise.resolve, on microtasks alone: the server answered no request again.
  it('reports a level option returning a thenable that fulfils with itself once, after 32 thenables, and the event loop goes on', async () => {
    const { thenable, thens } = selfResolvingThenable();
    expect(chosenLevel(() => thenable, 'warning')).toBe('warning');
    await nextMacrotask();
    expect(thens()).toBe(32);
    expect(diagnostics.map((event) => event.message)).toEqual([
      expect.stringContaining('requestLogging.level returned a Promise'),
      expect.stringMatching(/requestLogging.level rejected.*more than 32 deep/s),
    ]);
  });
});
