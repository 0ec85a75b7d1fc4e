import { SelfLog, type SelfLogEvent } from '../../../lib/core/self-log';
import { chosenLevel } from '../../../lib/node/http/chosen-level';

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
});
