import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { parseTemplate } from '../../lib/templates/parse-template';
import { parseTemplateCached, TemplateCache } from '../../lib/templates/template-cache';

describe('TemplateCache', () => {
  it('returns the same parsed template for the same text', () => {
    const cache = new TemplateCache();
    const first = cache.parse('Hello {Name}');
    expect(cache.parse('Hello {Name}')).toBe(first);
    expect(first).toEqual(parseTemplate('Hello {Name}'));
    expect(cache.size).toBe(1);
  });

  it('clears itself when a new template would exceed maxEntries', () => {
    const cache = new TemplateCache({ maxEntries: 3 });
    const first = cache.parse('a');
    cache.parse('b');
    cache.parse('c');
    expect(cache.size).toBe(3);
    cache.parse('d');
    expect(cache.size).toBe(1);
    expect(cache.parse('a')).not.toBe(first);
  });

  it('parses but does not cache texts longer than maxTextLength', () => {
    const cache = new TemplateCache({ maxTextLength: 4 });
    const long = cache.parse('{Long}');
    expect(long.tokens).toHaveLength(1);
    expect(cache.size).toBe(0);
    expect(cache.parse('{Long}')).not.toBe(long);
  });

  it('caches texts up to 4096 characters by default, and not longer ones', () => {
    const cache = new TemplateCache();
    cache.parse('x'.repeat(4096));
    cache.parse('x'.repeat(4097));
    expect(cache.size).toBe(1);
  });

  it('forgets everything on clear', () => {
    const cache = new TemplateCache();
    cache.parse('a');
    cache.clear();
    expect(cache.size).toBe(0);
  });
});

describe('parseTemplateCached', () => {
  it('returns one shared parsed template per text', () => {
    expect(parseTemplateCached('Shared {Cache}')).toBe(parseTemplateCached('Shared {Cache}'));
    expect(parseTemplateCached('Shared {Cache}').tokens).toEqual(parseTemplate('Shared {Cache}').tokens);
  });
});

describe('TemplateCache bounds', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['maxEntries NaN, which would never clear', { maxEntries: NaN }, /TemplateCache\.maxEntries: expected .*got number NaN/],
    ['maxEntries negative', { maxEntries: -1 }, /TemplateCache\.maxEntries: .*got number -1/],
    ['maxEntries as a string', { maxEntries: '100' }, /TemplateCache\.maxEntries: .*got "100"/],
    ['maxTextLength Infinity', { maxTextLength: Infinity }, /TemplateCache\.maxTextLength: .*got number Infinity/],
  ])('rejects %s with a ConfigurationError naming it', (_, options, message) => {
    expect(() => new TemplateCache(options as never)).toThrow(ConfigurationError);
    expect(() => new TemplateCache(options as never)).toThrow(message);
  });
});
