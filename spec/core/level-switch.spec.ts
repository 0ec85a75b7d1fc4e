import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { LevelSwitch } from '../../lib/core/level-switch';
import { SelfLog, type SelfLogEvent } from '../../lib/core/self-log';

describe('LevelSwitch', () => {
  it('starts at information by default', () => {
    expect(new LevelSwitch().level).toBe('information');
  });

  it('keeps a level$ subscriber that throws subscribed, reports it to SelfLog and never rethrows it on a timer', () => {
    jest.useFakeTimers();
    const diagnostics: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((d) => diagnostics.push(d));
    try {
      const sw = new LevelSwitch('warning');
      const seen: string[] = [];
      sw.level$.subscribe((level) => {
        seen.push(level);
        throw new Error('subscriber broke');
      });
      expect(() => (sw.level = 'debug')).not.toThrow();
      sw.level = 'error';
      // RxJS reports an unguarded subscriber's throw by rethrowing it from a timer, which kills a Node process.
      expect(() => jest.runOnlyPendingTimers()).not.toThrow();
      expect(seen).toEqual(['warning', 'debug', 'error']);
      expect(sw.value).toBe(4);
      expect(diagnostics.filter((d) => d.template === 'A level$ subscriber failed')).toHaveLength(3);
    } finally {
      subscription.unsubscribe();
      jest.useRealTimers();
    }
  });

  it('emits the current level and every change on level$', () => {
    const sw = new LevelSwitch('warning');
    const seen: string[] = [];
    sw.level$.subscribe((level) => seen.push(level));
    sw.level = 'debug';
    sw.level = 'debug';
    sw.level = 'info' as 'information';
    expect(seen).toEqual(['warning', 'debug', 'information']);
    expect(sw.value).toBe(2);
  });

  it('tells every level$ subscriber the changes in the order they were made, when a subscriber sets the level itself', () => {
    const sw = new LevelSwitch('information');
    const first: string[] = [];
    const second: string[] = [];
    const levelSeen: string[] = [];
    sw.level$.subscribe((level) => {
      first.push(level);
      if (level === 'debug') {
        sw.level = 'warning'; // a policy: never debug here
        levelSeen.push(sw.level);
      }
    });
    sw.level$.subscribe((level) => second.push(level));
    sw.level = 'debug';
    expect(first).toEqual(['information', 'debug', 'warning']);
    expect(second).toEqual(['information', 'debug', 'warning']); // last seen is the level in force
    expect(levelSeen).toEqual(['warning']);
    expect(sw.level).toBe('warning');
    expect(sw.value).toBe(3);
  });

  it('throws on an unknown level and keeps the old one', () => {
    const sw = new LevelSwitch('error');
    expect(() => {
      sw.level = 'noisy' as 'error';
    }).toThrow(ConfigurationError);
    expect(sw.level).toBe('error');
    expect(() => new LevelSwitch('nope')).toThrow(/LevelSwitch: unknown level "nope"/);
  });
});
