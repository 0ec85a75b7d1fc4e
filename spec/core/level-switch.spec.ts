import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { LevelSwitch } from '../../lib/core/level-switch';

describe('LevelSwitch', () => {
  it('starts at information by default', () => {
    expect(new LevelSwitch().level).toBe('information');
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

  it('throws on an unknown level and keeps the old one', () => {
    const sw = new LevelSwitch('error');
    expect(() => {
      sw.level = 'noisy' as 'error';
    }).toThrow(ConfigurationError);
    expect(sw.level).toBe('error');
    expect(() => new LevelSwitch('nope')).toThrow(/LevelSwitch: unknown level "nope"/);
  });
});
