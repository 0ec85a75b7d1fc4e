import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import type { SelfLog as SelfLogType } from '../../lib/core/self-log';
import { CompactJsonFormatter } from '../../lib/formatting/compact-json-formatter';
import { parseTemplate } from '../../lib/templates/parse-template';
import { parseTemplateCached, TemplateCache } from '../../lib/templates/template-cache';
import { makeEvent } from '../helpers/events';

describe('TemplateCache', () => {
  it('returns the same parsed template for the same text', () => {
    const cache = new TemplateCache();
    const first = cache.parse('Hello {Name}');
    expect(cache.parse('Hello {Name}')).toBe(first);
    expect(first).toEqual(parseTemplate('Hello {Name}'));
    expect(cache.size).toBe(1);
  });

  // Serilog's MessageTemplateCache keeps 1000. At 10 000, an app logging a new text on every call
  // (`User ${name} logged in`) kept each parsed template alive long enough to be promoted out of V8's
  // young generation: the cache cost about 4 µs a new text on top of its parse, against 0.5 µs at 1000.
  it('keeps 1000 templates by default, as Serilog, then clears itself', () => {
    const cache = new TemplateCache();
    for (let i = 0; i < 1000; i++) cache.parse(`User u${i} logged in`);
    expect(cache.size).toBe(1000);
    cache.parse('User u1000 logged in');
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

  // After clearing, the new template was stored whatever the bounds: maxEntries 0 (to turn caching off) kept one,
  // and a template weighing more than maxTotalLength was held past it.
  it('holds nothing with maxEntries 0, and no template that alone weighs more than maxTotalLength', () => {
    const none = new TemplateCache({ maxEntries: 0 });
    none.parse('a');
    none.parse('b');
    expect(none.size).toBe(0);
    const small = new TemplateCache({ maxTotalLength: 40 });
    small.parse('a'); // 1 + 32 × 1 token
    expect(small.size).toBe(1);
    small.parse('{A} {B}'); // 7 + 32 × 3 tokens: more than the whole cache may hold
    expect(small.size).toBe(1);
    expect(small.parse('a')).toBe(small.parse('a'));
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

  // Serilog's cache holds at most 1 000 templates of 1 024 characters. 10 000 templates of 4 096 characters dense with
  // holes held 1.75 GB (a token is about 85 bytes): a program that builds template text from data, or the rxlog command
  // reading a hostile file, could fill it. The total length bound keeps the cache to a few megabytes.
  it('bounds the text and tokens it holds in all (maxTotalLength), clearing when a template would pass it', () => {
    const cache = new TemplateCache();
    const dense = 'x{A}'.repeat(1020);
    let most = 0;
    for (let i = 0; i < 200; i++) {
      cache.parse(`${i} ${dense}`);
      most = Math.max(most, cache.size);
    }
    // Each template costs its 4 080-odd characters and 2 041 tokens at 32 each: about 69 000 of the 4 Mi (4 194 304) default.
    expect(most).toBe(60);
  });

  it('holds 10 000 ordinary templates within the default total length', () => {
    const cache = new TemplateCache({ maxEntries: 10_000 });
    for (let i = 0; i < 10_000; i++)
      cache.parse(`Order {OrderId} for customer {CustomerId} shipped to {Address} on {Date} (${i})`);
    expect(cache.size).toBe(10_000);
  });

  it('takes maxTotalLength as an option, counting a template as its length plus 32 per token', () => {
    const cache = new TemplateCache({ maxTotalLength: 100 });
    cache.parse('a'.repeat(30)); // 30 + 32
    cache.parse('{B}'); // 3 + 32: 97 in all
    expect(cache.size).toBe(2);
    cache.parse('c'); // 1 + 32 would pass 100
    expect(cache.size).toBe(1);
  });

  // A program that builds template text from data logs a new template every time: 100 000 of them (a million took 23 s
  // here, to the same end) leave the cache at its bound, and the templates it holds are still served from it.
  it('stays within maxEntries under 100 000 distinct templates', () => {
    const cache = new TemplateCache({ maxEntries: 1000 });
    let most = 0;
    for (let i = 0; i < 100_000; i++) {
      cache.parse(`User ${i} logged in from {Address}`);
      most = Math.max(most, cache.size);
    }
    expect(most).toBe(1000);
    expect(cache.size).toBeLessThanOrEqual(1000);
    const last = cache.parse('User 99999 logged in from {Address}');
    expect(cache.parse('User 99999 logged in from {Address}')).toBe(last);
  });

  // A text built from data (`User ${id} did {Action}`), met once, filled the cache and cleared it every 1000 calls:
  // the templates in use were parsed again after each clear, and each one-off template was kept until the next, which
  // cost three times its parse in garbage collection. After the first overflow a new text is kept when met twice.
  it('tells SelfLog once a process that a cache overflowed, the sign of template text built from data', () => {
    const messages: string[] = [];
    jest.isolateModules(() => {
      /* eslint-disable @typescript-eslint/no-require-imports */
      const { SelfLog } = require('../../lib/core/self-log') as { SelfLog: typeof SelfLogType };
      const fresh = require('../../lib/templates/template-cache') as {
        TemplateCache: typeof TemplateCache;
        parseTemplateCached: typeof parseTemplateCached;
      };
      /* eslint-enable @typescript-eslint/no-require-imports */
      SelfLog.enable((message) => messages.push(message));
      try {
        const cache = new fresh.TemplateCache({ maxEntries: 10 });
        for (let i = 0; i < 100; i++) cache.parse(`User ${i} signed in`);
        for (let i = 0; i < 2_500; i++) fresh.parseTemplateCached(`Order ${i} shipped`);
      } finally {
        SelfLog.disable();
      }
    });
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain('template cache overflowed (10 templates)');
    expect(messages[0]).toContain('User {Id} signed in');
  });

  it('after overflowing, keeps a text when met twice, so texts met once no longer clear the templates in use', () => {
    const cache = new TemplateCache({ maxEntries: 10 });
    for (let i = 0; i <= 10; i++) cache.parse(`warm-up ${i}`);
    expect(cache.size).toBe(1);
    const once = cache.parse('Used {A}');
    const kept = cache.parse('Used {A}');
    expect(kept).not.toBe(once);
    expect(cache.parse('Used {A}')).toBe(kept);
    for (let i = 0; i < 1000; i++) cache.parse(`User ${i} did {Action}`);
    expect(cache.parse('Used {A}')).toBe(kept);
    expect(cache.size).toBeLessThan(10);
  });

  // Found by review: V8 makes a slice of 13 characters or more a view into the string it was cut
  // from, alive as long as the slice. A template cut from a long text (a line of a 1 MiB chunk a
  // service relays through Nest's logger.log) was cached as it was, so each cached template kept
  // its whole chunk: 200 templates of 40-odd characters held 200 MiB, a full cache a gigabyte.
  it('keeps a template cut from a long text without that text (200 first lines of 1 MiB chunks)', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const cache = new TemplateCache();
    const heapMiB = (): number => {
      gc();
      gc();
      return process.memoryUsage().heapUsed / 2 ** 20;
    };
    const before = heapMiB();
    for (let i = 0; i < 200; i++) {
      const chunk = `Job ${i} started step {Step} of {Steps}\n${'x'.repeat(2 ** 20)}`;
      const [line] = chunk.split('\n');
      expect(cache.parse(line).text).toBe(`Job ${i} started step {Step} of {Steps}`);
    }
    const growth = heapMiB() - before;
    expect(cache.size).toBe(200);
    expect(growth).toBeLessThan(20);
    const kept = cache.parse('Job 7 started step {Step} of {Steps}');
    expect(cache.parse(`Job 7 started step {Step} of {Steps}\nmore`.split('\n')[0])).toBe(kept);
    expect(kept.tokens.map((token) => token.kind)).toEqual(['text', 'property', 'text', 'property']);
  });

  it('parses a text it does not keep from a copy too, so what holds the template does not hold the text it was cut from', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // Holds none: each text is parsed and given back, as a text met once past the first overflow is.
    const cache = new TemplateCache({ maxEntries: 0 });
    const heapMiB = (): number => {
      gc();
      gc();
      return process.memoryUsage().heapUsed / 2 ** 20;
    };
    const before = heapMiB();
    // What 200 queued events of a line logged as its own template hold: each line's parsed template.
    const held = [];
    for (let i = 0; i < 200; i++)
      held.push(cache.parse(`Job ${i} started, output follows\n${'x'.repeat(2 ** 20)}`.split('\n')[0]));
    const growth = heapMiB() - before;
    expect(held[7].text).toBe('Job 7 started, output follows');
    expect(cache.size).toBe(0);
    expect(growth).toBeLessThan(20);
  });

  it('weighs the escaped @mt a CLEF formatter keeps with a template, so texts of control characters stay within maxTotalLength', () => {
    const cache = new TemplateCache();
    const formatter = new CompactJsonFormatter();
    let written = 0;
    for (let i = 0; i < 1000; i++) {
      const template = cache.parse(`${String(i).padStart(6, '0')}${'\u0001'.repeat(4090)}`);
      written = formatter.format({ ...makeEvent(), messageTemplate: template }).length;
    }
    // Each held 4 096 characters of text and a 24 576-character @mt: 1000 of them 28 MB, weighed as 4 MB.
    // Weighed as both, 4 Mi holds about 146 of them.
    expect(written).toBeGreaterThan(6 * 4096);
    expect(cache.size).toBeLessThanOrEqual(Math.floor((4 * 1024 * 1024) / (7 * 4096)));
    // A text written as it is weighs what it did: 1000 of 4 096 plain characters are all kept.
    const plain = new TemplateCache();
    for (let i = 0; i < 1000; i++) plain.parse(`${String(i).padStart(6, '0')}${'a'.repeat(4090)}`);
    expect(plain.size).toBe(1000);
  });

  it('keeps every new text at once again after clear()', () => {
    const cache = new TemplateCache({ maxEntries: 2 });
    for (const text of ['a', 'b', 'c']) cache.parse(text);
    cache.clear();
    const first = cache.parse('d');
    expect(cache.parse('d')).toBe(first);
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
    ['maxTotalLength NaN', { maxTotalLength: NaN }, /TemplateCache\.maxTotalLength: .*got number NaN/],
  ])('rejects %s with a ConfigurationError naming it', (_, options, message) => {
    expect(() => new TemplateCache(options as never)).toThrow(ConfigurationError);
    expect(() => new TemplateCache(options as never)).toThrow(message);
  });
});
