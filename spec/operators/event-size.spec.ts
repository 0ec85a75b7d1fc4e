import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import fc from 'fast-check';
import { estimateEventBytes, truncateEvent } from '../../lib/operators/event-size';
import { EventQueue } from '../../lib/operators/event-queue';
import { CompactJsonFormatter } from '../../lib/formatting/compact-json-formatter';
import { TextFormatter } from '../../lib/formatting/text-formatter';
import { cpuMs } from '../helpers/cpu-time';
import { makeEvent } from '../helpers/events';
import type { LogEvent } from '../../lib/core/log-event';
import { parseTemplate } from '../../lib/templates/parse-template';
import { renderTemplate } from '../../lib/templates/render-template';
import { childStdout } from '../helpers/child-stdout';

describe('estimateEventBytes', () => {
  it("counts an exception's own fields, which its text writes after the stack, at least as CLEF and text write them", () => {
    const fields: Record<string, unknown> = {};
    for (let i = 0; i < 16; i++) fields[`field${i}`] = '\u001b'.repeat(200);
    const exception = Object.assign(new Error('boom'), fields);
    exception.stack = 'Error: boom';
    const event = makeEvent({ exception });
    const bare = new Error('boom');
    bare.stack = 'Error: boom';
    const written = Buffer.byteLength(new CompactJsonFormatter().format(event));
    expect(written - Buffer.byteLength(new CompactJsonFormatter().format(makeEvent({ exception: bare })))).toBeGreaterThan(
      16 * 200 * 6,
    );
    expect(estimateEventBytes(event)).toBeGreaterThanOrEqual(written);
  });

  it("counts the own fields of an exception's causes and listed errors, which its text writes after theirs", () => {
    const fields: Record<string, unknown> = {};
    for (let i = 0; i < 16; i++) fields[`field${i}`] = '\u001b'.repeat(200);
    const withFields = (message: string): Error => Object.assign(new Error(message), fields);
    const item = withFields('item');
    const aggregate = Object.assign(new AggregateError([item, withFields('second')], 'all'), { cause: withFields('cause') });
    const exception = new Error('boom', { cause: aggregate });
    const event = makeEvent({ exception });
    const written = Buffer.byteLength(new CompactJsonFormatter().format(event));
    expect(written).toBeGreaterThan(3 * 16 * 200 * 6);
    expect(estimateEventBytes(event)).toBeGreaterThanOrEqual(written);
    const text = Buffer.byteLength(new TextFormatter('{Exception}').format(event));
    expect(estimateEventBytes(event)).toBeGreaterThanOrEqual(text);
  });

  it('grows with string length', () => {
    const small = estimateEventBytes(makeEvent({ properties: { A: 'x' } }));
    const large = estimateEventBytes(makeEvent({ properties: { A: 'x'.repeat(10_001) } }));
    expect(large - small).toBe(10_000);
  });

  /** What `value` adds to an event's estimate over the same property holding `0` (one byte). */
  const numberExtra = (value: number | bigint): number =>
    estimateEventBytes(makeEvent({ properties: { N: value } })) - estimateEventBytes(makeEvent({ properties: { N: 0 } })) + 1;

  it.each([
    [1, '1'],
    [-7, '-7'],
    [200, '200'],
    [123_456_789, '123456789'],
    [2 ** 53, '9007199254740992'],
    [12.5, '12.5'],
    [0.1, '0.1'],
    [-39.48, '-39.48'],
    [1 / 3, '0.3333333333333333'],
    [0.000_001_5, '0.0000015'],
    [-0, '0'],
    [NaN, '"NaN"'],
    [-Infinity, '"-Infinity"'],
  ])('counts the number %p as the bytes of %s, as the JSON writers write it', (value, written) => {
    expect(numberExtra(value)).toBe(written.length);
  });

  it('counts a bigint by its digits, at most four more, without writing a huge one in decimal', () => {
    const values = [
      0n,
      -5n,
      18_446_744_073_709_551_616n,
      99_999_999_999_999_999_999n,
      -(10n ** 40n),
      10n ** 400n,
      -(10n ** 5_000n),
    ];
    const spy = jest.spyOn(BigInt.prototype, 'toString');
    const extras = values.map(numberExtra);
    const asked = spy.mock.calls.map((call) => call[0]);
    spy.mockRestore();
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.every((radix) => radix === 16)).toBe(true);
    values.forEach((value, index) => {
      // Past 4 300 digits the writers quote it.
      const written = String(value).length + (String(value).length > 4_301 ? 2 : 0);
      expect(extras[index] - written).toBeGreaterThanOrEqual(0);
      expect(extras[index] - written).toBeLessThanOrEqual(4);
    });
  });

  it('counts any number at least at the bytes JSON writes of it, and exactly outside exponent form but for one byte at 16 or 17 digits', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.double(),
          fc.integer(),
          fc.double({ min: -1e6, max: 1e6 }),
          fc.nat().map((n) => n / 1000),
        ),
        (value) => {
          const written = Number.isFinite(value) ? String(value) : `"${value}"`;
          const extra = numberExtra(value);
          expect(extra).toBeGreaterThanOrEqual(written.length);
          if (!written.includes('e'))
            expect(extra).toBeLessThanOrEqual(written.length + (/\d{16}/.test(written.replace('.', '')) ? 1 : 0));
        },
      ),
      { numRuns: 5_000 },
    );
  });

  /**
   * JSON data with short ASCII strings (a shorter string counts its length, so escapes and
   * non-ASCII text there are left out) and numbers outside exponent form (from 1e-6 below 1e21).
   */
  const plainData = fc.object({
    key: fc.stringMatching(/^[ -!#-[\]-~]{0,12}$/),
    values: [
      fc.integer(),
      fc.nat({ max: 99 }),
      fc.double({ min: -1e15, max: 1e15, noNaN: true }).filter((value) => value === 0 || Math.abs(value) >= 1e-6),
      fc.nat({ max: 100_000 }).map((cents) => cents / 100),
      fc.boolean(),
      fc.constant(null),
      fc.stringMatching(/^[ -!#-[\]-~]{0,63}$/),
    ],
    maxDepth: 3,
    maxKeys: 8,
  });

  it("is never below the properties' JSON bytes and at most 1.5 times them, for plain data of any shape", () => {
    const bare = estimateEventBytes(makeEvent({ properties: {} }));
    fc.assert(
      fc.property(plainData, (properties) => {
        // The properties' own braces are in the bare event's estimate.
        const estimate = estimateEventBytes(makeEvent({ properties })) - bare + 2;
        const json = Buffer.byteLength(JSON.stringify(properties));
        expect(estimate).toBeGreaterThanOrEqual(json);
        expect(estimate).toBeLessThanOrEqual(1.5 * json);
      }),
      { numRuns: 2_000 },
    );
  });

  it('weighs small numbers by their digits, so queue.limitBytes holds about as many events as their CLEF lines fit', () => {
    const event = makeEvent({ properties: { Status: 200, Elapsed: 12.5, Ids: Array.from({ length: 40 }, (_, i) => i % 10) } });
    const line = Buffer.byteLength(new CompactJsonFormatter().format(event));
    const queue = new EventQueue({ limit: 10_000, limitBytes: 100 * line, overflow: 'drop-newest' });
    for (let i = 0; i < 1_000; i++) queue.push(event);
    // Counted at 8 bytes each, the 42 numbers made the estimate 2.7 times the line: 37 events held.
    expect(queue.depth).toBeGreaterThanOrEqual(90);
    expect(queue.depth).toBeLessThanOrEqual(110);
  });

  it('stays within a small factor of the JSON length for plain data', () => {
    const properties = { User: { id: 42, name: 'Ada Lovelace', roles: ['admin', 'dev'] }, Path: '/orders/7', Ok: true };
    const estimate = estimateEventBytes(makeEvent({ properties }));
    const json = JSON.stringify(properties).length;
    expect(estimate).toBeGreaterThan(json);
    expect(estimate).toBeLessThan(json + 200);
  });

  it('counts a long string by its bytes in JSON UTF-8, escapes included, and a short one by its length', () => {
    const extra = (text: string): number =>
      estimateEventBytes(makeEvent({ properties: { A: text } })) - estimateEventBytes(makeEvent({ properties: { A: '' } }));
    const long = 1_000;
    expect(extra('a'.repeat(long))).toBe(long);
    expect(extra('é'.repeat(long))).toBe(2 * long);
    expect(extra('€'.repeat(long))).toBe(3 * long);
    expect(extra('"'.repeat(long))).toBe(2 * long);
    expect(extra('\n'.repeat(long))).toBe(2 * long);
    expect(extra('\u0001'.repeat(long))).toBe(6 * long);
    expect(extra('€'.repeat(63))).toBe(63);
    const error = new Error('boom');
    error.stack = '€'.repeat(5_000);
    expect(estimateEventBytes(makeEvent({ exception: error })) - estimateEventBytes(makeEvent())).toBeGreaterThanOrEqual(15_000);
  });

  it('counts a long string at least at its UTF-8 JSON length, whatever its code points', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 64, maxLength: 2_000 }), (text) => {
        const extra =
          estimateEventBytes(makeEvent({ properties: { A: text } })) - estimateEventBytes(makeEvent({ properties: { A: '' } }));
        expect(extra).toBeGreaterThanOrEqual(Buffer.byteLength(JSON.stringify(text)) - 2);
      }),
      { numRuns: 500 },
    );
  });

  it('counts a long property name at least at its UTF-8 JSON length, whatever its code points, as a long string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 64, maxLength: 2_000 }), (name) => {
        const extra =
          estimateEventBytes(makeEvent({ properties: { A: { [name]: 1 } } })) -
          estimateEventBytes(makeEvent({ properties: { A: {} } }));
        expect(extra).toBeGreaterThanOrEqual(Buffer.byteLength(JSON.stringify({ [name]: 1 })) - 2);
      }),
      { numRuns: 500 },
    );
  });

  it('counts the exception stack', () => {
    const error = new Error('boom');
    error.stack = 's'.repeat(5_000);
    expect(estimateEventBytes(makeEvent({ exception: error })) - estimateEventBytes(makeEvent())).toBeGreaterThanOrEqual(5_000);
  });

  it('bounds the walk on huge and deeply nested values without throwing', () => {
    const wide = Array.from({ length: 100_000 }, (_, i) => ({ i }));
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 1_000; i++) deep = { next: deep };
    expect(estimateEventBytes(makeEvent({ properties: { wide, deep } }))).toBeGreaterThan(100_000);
  });

  it('never throws on hostile values', () => {
    const hostile = Object.defineProperty({}, 'boom', {
      enumerable: true,
      get() {
        throw new Error('getter');
      },
    });
    expect(estimateEventBytes(makeEvent({ properties: { hostile } }))).toBeGreaterThan(0);
  });
});

describe('truncateEvent', () => {
  it('never cuts a string between the two halves of a surrogate pair', () => {
    const lone = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
    const event = makeEvent({ properties: { S: '😀'.repeat(3000) } });
    for (let maxBytes = 1000; maxBytes < 1010; maxBytes++) {
      const text = truncateEvent(event, maxBytes).properties.S as string;
      expect(text).toMatch(/…\[truncated \d+ chars\]$/);
      expect(lone.test(text)).toBe(false);
    }
  });

  it('keeps a "__proto__" property name (a CLEF line’s, parsed JSON’s) as a property of the copy, never its prototype', () => {
    const properties = JSON.parse(
      `{"Big":"${'b'.repeat(100_000)}","__proto__":{"Kept":"top"},"Meta":{"__proto__":{"Kept":"nested"},"Note":"n"}}`,
    ) as Record<string, unknown>;
    const cut = truncateEvent(makeEvent({ properties }), 10_000);
    expect(cut.properties.Big).toMatch(/…\[truncated \d+ chars\]$/);
    expect(Object.keys(cut.properties)).toEqual(['Big', '__proto__', 'Meta']);
    expect(Object.getOwnPropertyDescriptor(cut.properties, '__proto__')?.value).toEqual({ Kept: 'top' });
    expect(Object.getPrototypeOf(cut.properties)).toBe(Object.prototype);
    const meta = cut.properties.Meta as Record<string, unknown>;
    expect(Object.keys(meta)).toEqual(['__proto__', 'Note']);
    expect(Object.getOwnPropertyDescriptor(meta, '__proto__')?.value).toEqual({ Kept: 'nested' });
    expect(meta.Kept).toBeUndefined();
  });

  it('returns the same event when it fits', () => {
    const event = makeEvent({ properties: { A: 'short' } });
    expect(truncateEvent(event, 1024)).toBe(event);
  });

  it('cuts the largest strings and marks them with the number of characters cut', () => {
    const event = makeEvent({ properties: { Big: 'b'.repeat(100_000), Small: 's'.repeat(40), N: 7 } });
    const cut = truncateEvent(event, 10_000);
    expect(estimateEventBytes(cut)).toBeLessThanOrEqual(10_000);
    const big = cut.properties.Big as string;
    expect(big).toMatch(/^b+…\[truncated \d+ chars\]$/);
    const kept = big.indexOf('…');
    expect(big).toContain(`…[truncated ${100_000 - kept} chars]`);
    expect(cut.properties.Small).toBe('s'.repeat(40));
    expect(cut.properties.N).toBe(7);
    expect(event.properties.Big).toHaveLength(100_000);
  });

  it('cuts nested strings and a huge exception stack', () => {
    const error = new Error('failed');
    error.stack = 'at x\n'.repeat(50_000);
    const event = makeEvent({ properties: { Request: { body: 'q'.repeat(200_000) } }, exception: error });
    const cut = truncateEvent(event, 20_000);
    expect(estimateEventBytes(cut)).toBeLessThanOrEqual(20_000);
    expect((cut.properties.Request as { body: string }).body).toContain('…[truncated');
    expect(cut.exception?.stack).toContain('…[truncated');
    expect(cut.exception?.message).toBe('failed');
  });

  it('cuts an exception with a huge message to the limit: V8 stacks repeat the message, CLEF writes the stack alone', () => {
    const error = new Error('m'.repeat(1_000_000));
    const cut = truncateEvent(makeEvent({ exception: error }), 20_000);
    expect(estimateEventBytes(cut)).toBeLessThanOrEqual(20_000);
    expect(new CompactJsonFormatter().format(cut).length).toBeLessThanOrEqual(20_000);
    expect(cut.exception?.stack).toContain('…[truncated');
  });

  // Its search for the largest cut that fits halved from the whole stack: each try copies what it keeps, so a
  // 16 MB message cost the logging call 1.7 s of CPU (1 MB 0.19 s), copying megabytes six times over.
  it('never copies more of a huge exception text than maxEventBytes while it searches for the cut that fits', () => {
    const limit = 256 * 1024;
    const event = makeEvent({ exception: new Error('m'.repeat(4_000_000)) });
    const copied: number[] = [];
    const stringify = JSON.stringify;
    const spy = jest.spyOn(JSON, 'stringify').mockImplementation((...args: Parameters<typeof JSON.stringify>) => {
      if (typeof args[0] === 'string') copied.push(args[0].length);
      return stringify(...args);
    });
    let cut: LogEvent;
    try {
      cut = truncateEvent(event, limit);
    } finally {
      spy.mockRestore();
    }
    expect(Math.max(...copied)).toBeLessThanOrEqual(limit + 64);
    const line = new CompactJsonFormatter().format(cut);
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(limit);
    expect(Buffer.byteLength(line)).toBeGreaterThan(limit - 1024);
  });

  // @x writes up to 64 KiB of each cause and error, 1 MiB of them in all: the estimate counts them too,
  // so an event whose size is in its causes is cut like one whose size is in its top stack.
  it('cuts an event whose bytes are in its causes, so the CLEF line fits the default limit', () => {
    const clef = new CompactJsonFormatter();
    const limit = 256 * 1024;
    const frames = (name: string): string => `${name}: failed\n${'    at frame (file.js:1:1)\n'.repeat(2_700)}`;
    let chain: Error = Object.assign(new Error('root'), { stack: frames('Error') });
    for (let index = 0; index < 7; index++)
      chain = Object.assign(new Error(`level ${index}`, { cause: chain }), { stack: frames('Error') });
    const top = new Error('request failed', { cause: chain });
    top.stack = 'Error: request failed\n    at handler (app.js:1:1)';
    const event = makeEvent({ exception: top });
    // A small top error with 600 KB in its eight causes: @x writes 8 × 64 KiB of them.
    expect(Buffer.byteLength(clef.format(event))).toBeGreaterThan(limit);
    expect(estimateEventBytes(event)).toBeGreaterThan(limit);
    const cut = truncateEvent(event, limit);
    expect(estimateEventBytes(cut)).toBeLessThanOrEqual(limit);
    const line = clef.format(cut);
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(limit);
    expect(Buffer.byteLength(line)).toBeGreaterThan(limit / 2);
    const x = (JSON.parse(line) as { '@x': string })['@x'];
    expect(x.match(/\ncaused by: Error: failed\n/g)).toHaveLength(8);
    expect(x).toContain('…[truncated');
    expect(cut.exception?.stack).toBe(top.stack);

    const aggregate = new AggregateError(
      Array.from({ length: 8 }, () => Object.assign(new Error('part'), { stack: frames('Error') })),
      'all failed',
    );
    const cutAggregate = truncateEvent(makeEvent({ exception: aggregate }), limit);
    expect(cutAggregate).not.toBe(aggregate);
    expect(Buffer.byteLength(clef.format(cutAggregate))).toBeLessThanOrEqual(limit);
  });

  it('counts an error without causes or errors as before: its stack and 16 bytes', () => {
    const error = new Error('boom');
    error.stack = 's'.repeat(5_000);
    expect(estimateEventBytes(makeEvent({ exception: error })) - estimateEventBytes(makeEvent())).toBe(5_016);
    const hostile = new Proxy(new Error('x'), {
      get(target, key) {
        if (key === 'cause' || key === 'errors') throw new Error('trap');
        return Reflect.get(target, key) as unknown;
      },
    });
    expect(estimateEventBytes(makeEvent({ exception: hostile }))).toBeGreaterThan(estimateEventBytes(makeEvent()));
  });

  describe('a cut exception', () => {
    class FetchFailed extends Error {
      override name = 'FetchFailed';
    }
    const bigStack = (name: string): string => `${name}: failed\n${'    at frame (file.js:1:1)\n'.repeat(20_000)}`;
    const oversized = (exception: Error) => truncateEvent(makeEvent({ exception }), 20_000);

    it('keeps its class, name, cause chain and an AggregateError’s errors, each cut, as CLEF writes them', () => {
      const root = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      root.stack = bigStack('Error');
      const error = new FetchFailed('fetch failed', { cause: root });
      error.stack = bigStack('FetchFailed');
      const cut = oversized(error).exception as FetchFailed & { cause: Error & { code: string } };
      expect(cut).not.toBe(error);
      expect(cut).toBeInstanceOf(FetchFailed);
      expect(cut.name).toBe('FetchFailed');
      expect(cut.message).toBe('fetch failed');
      expect(cut.stack).toContain('…[truncated');
      expect(cut.cause).toBeInstanceOf(Error);
      expect(cut.cause.message).toBe('connect ECONNREFUSED');
      expect(cut.cause.code).toBe('ECONNREFUSED');
      expect(cut.cause.stack).toMatch(/^Error: failed\n[^]*…\[truncated \d+ chars\]$/);
      expect(cut.cause.stack!.length).toBeLessThan(20_000);
      expect(Object.prototype.toString.call(cut)).toBe('[object Error]');
      const x = (JSON.parse(new CompactJsonFormatter().format(makeEvent({ exception: cut }))) as { '@x': string })['@x'];
      expect(x).toContain('\ncaused by: Error: failed\n');
      expect(error.cause).toBe(root);
      expect(root.stack).toHaveLength(bigStack('Error').length);

      const aggregate = new AggregateError([root, new TypeError('bad')], 'all failed');
      aggregate.stack = bigStack('AggregateError');
      const cutAggregate = oversized(aggregate).exception as AggregateError;
      expect(cutAggregate).toBeInstanceOf(AggregateError);
      expect(cutAggregate.errors).toHaveLength(2);
      expect(cutAggregate.errors[0]).toBeInstanceOf(Error);
      expect((cutAggregate.errors[0] as Error).stack).toContain('…[truncated');
      expect(cutAggregate.errors[1]).toBeInstanceOf(TypeError);
      expect((cutAggregate.errors[1] as Error).message).toBe('bad');
    });

    it('bounds depth and count, keeps a cycle a cycle, and survives throwing getters, frozen errors and hostile proxies', () => {
      let chain: Error = new Error('root');
      for (let index = 0; index < 20; index++) chain = new Error(`level ${index}`, { cause: chain });
      chain.stack = bigStack('Error');
      let link: unknown = oversized(chain).exception;
      let depth = 0;
      while (link instanceof Error) [link, depth] = [link.cause, depth + 1];
      expect(depth).toBe(9);
      expect(link).toBe('…[truncated]');

      const wide = new AggregateError(
        Array.from({ length: 1000 }, (_, index) => new Error(`e${index}`)),
        'many',
      );
      wide.stack = bigStack('AggregateError');
      const cutWide = oversized(wide).exception as AggregateError;
      expect(cutWide.errors).toHaveLength(9);
      expect(cutWide.errors[8]).toBe('…[992 more errors]');

      const a = new Error('a');
      const b = new Error('b', { cause: a });
      a.cause = b;
      a.stack = bigStack('Error');
      const cutA = oversized(a).exception as Error & { cause: Error };
      expect(cutA.cause.message).toBe('b');
      expect(cutA.cause.cause).toBe(cutA);

      const hostile = new Error('hostile');
      hostile.stack = bigStack('Error');
      Object.defineProperty(hostile, 'cause', {
        get() {
          throw new Error('getter');
        },
      });
      expect((oversized(hostile).exception as Error).cause).toBe('[unreadable cause]');

      const revocable = Proxy.revocable(new Error('gone'), {});
      revocable.revoke();
      const frozen = Object.freeze(
        Object.assign(new RangeError('frozen', { cause: revocable.proxy }), { stack: bigStack('RangeError') }),
      );
      const cutFrozen = oversized(frozen).exception as Error;
      expect(cutFrozen).toBeInstanceOf(RangeError);
      expect(cutFrozen.stack).toContain('…[truncated');
      expect(cutFrozen.cause).toBe('…[truncated]');
      expect(frozen.stack).toHaveLength(bigStack('RangeError').length);
    });
  });

  it('replaces the largest properties when structure, not strings, makes the event large', () => {
    const many = Array.from({ length: 5_000 }, (_, i) => i);
    const cut = truncateEvent(makeEvent({ properties: { Many: many, Name: 'kept' } }), 2_000);
    expect(cut.properties.Many).toBe('…[truncated]');
    expect(cut.properties.Name).toBe('kept');
    expect(estimateEventBytes(cut)).toBeLessThanOrEqual(2_000);
  });

  it('replaces only as many of many structured properties as it must, largest first', () => {
    const properties: Record<string, unknown> = {};
    for (let i = 0; i < 400; i++) properties[`P${i}`] = Array.from({ length: 10 + (i % 7) }, (_, j) => j);
    const cut = truncateEvent(makeEvent({ properties }), 12_000);
    const replaced = Object.keys(cut.properties).filter((key) => cut.properties[key] === '…[truncated]');
    expect(estimateEventBytes(cut)).toBeLessThanOrEqual(12_000);
    expect(replaced.length).toBeGreaterThan(0);
    expect(replaced.length).toBeLessThan(400);
    // Largest first: every replaced array is at least as long as every kept one.
    const kept = Object.values(cut.properties).filter((value): value is number[] => Array.isArray(value));
    const shortestReplaced = Math.min(...replaced.map((key) => (properties[key] as number[]).length));
    expect(Math.max(...kept.map((value) => value.length))).toBeLessThanOrEqual(shortestReplaced);
  });

  it('handles an event with tens of thousands of small properties in linear time, leaving values no larger than the marker', async () => {
    // Before, each replacement measured the whole event again: 15 000 properties blocked the caller
    // for over 40 s. CPU time, which a loaded machine does not stretch.
    const properties: Record<string, unknown> = {};
    for (let i = 0; i < 15_000; i++) properties[`__${i}`] = 1;
    let cut = makeEvent();
    expect(await cpuMs(() => void (cut = truncateEvent(makeEvent({ properties }), 256 * 1024)))).toBeLessThan(5_000);
    expect(Object.values(cut.properties).every((value) => value === 1)).toBe(true);
  });

  // A template built from data (`log.information(\`Response: ${body}\`)`) was kept whole: the
  // copy was as large as the original, and a queue counting it as maxEventBytes held 1 000 times that.
  it('cuts a template text built from data, keeping it a template whose holes before the cut still render', () => {
    const clef = new CompactJsonFormatter();
    const limit = 4_096;
    const body = 'x'.repeat(1_000_000);
    const template = parseTemplate(`Order {OrderId} failed: ${body}`);
    const event: LogEvent = {
      ...makeEvent({ properties: { OrderId: 42 } }),
      messageTemplate: template,
      renderMessage: () => renderTemplate(template, { OrderId: 42 }),
    };
    const cut = truncateEvent(event, limit);
    expect(estimateEventBytes(cut)).toBeLessThanOrEqual(limit);
    expect(cut.messageTemplate.text).toMatch(/^Order \{OrderId\} failed: x+…\[truncated \d+ chars\]$/);
    expect(cut.messageTemplate.tokens[1]).toMatchObject({ kind: 'property', name: 'OrderId' });
    expect(renderTemplate(cut.messageTemplate, cut.properties)).toMatch(/^Order 42 failed: x+…/);
    expect(cut.properties.OrderId).toBe(42);
    expect(Buffer.byteLength(clef.format(cut))).toBeLessThanOrEqual(limit);
    expect(event.messageTemplate.text).toHaveLength(1_000_000 + 'Order {OrderId} failed: '.length);
  });

  it('counts a long template text by its bytes, so a non-ASCII one built from data is cut and its CLEF line fits', () => {
    const clef = new CompactJsonFormatter();
    const limit = 256 * 1024;
    // 120 000 characters, 360 000 bytes of UTF-8: counted as 120 000, it was not cut at all.
    const event = makeEvent({ text: `Antwort: ${'日本語'.repeat(40_000)}` });
    expect(estimateEventBytes(event)).toBeGreaterThan(360_000);
    const cut = truncateEvent(event, limit);
    expect(cut.messageTemplate.text).toMatch(/^Antwort: (日本語)+(日|日本)?…\[truncated \d+ chars\]$/u);
    expect(Buffer.byteLength(clef.format(cut))).toBeLessThanOrEqual(limit);
  });

  // JSON writers escape DEL, the C1 controls, U+2028/U+2029 and the bidi controls as `\uXXXX`
  // (six bytes each): counted as their UTF-8 bytes (1 to 3), a body of them passed maxEventBytes
  // uncut and wrote a line two or three times the limit.
  it.each([
    ['NEL (C1)', '\u0085', 'Body'],
    ['DEL', '\u007f', 'Body'],
    ['U+2028', '\u2028', 'Body'],
    ['U+202E (bidi)', '\u202e', 'Body'],
    ['U+2066 (bidi isolate)', '\u2066', 'Body'],
  ])(
    'counts %s as the six bytes of its JSON escape, so an event full of them is cut and its CLEF line fits',
    (_name, char, key) => {
      const clef = new CompactJsonFormatter();
      const limit = 256 * 1024;
      const event = makeEvent({ text: 'Got {Body}', properties: { [key]: char.repeat(100_000) } });
      expect(estimateEventBytes(event)).toBeGreaterThanOrEqual(Buffer.byteLength(clef.format(event)) - 64);
      const cut = truncateEvent(event, limit);
      const bytes = Buffer.byteLength(clef.format(cut));
      expect(bytes).toBeLessThanOrEqual(limit);
      expect(bytes).toBeGreaterThan(limit / 2);
    },
  );

  // Property names are strings too, written with the same escapes: counted by their length, a
  // `{@Body}` parsed from JSON whose 200 names hold 1 000 NELs each was estimated at 200 KB for a
  // 1.2 MB CLEF line, and passed maxEventBytes uncut (CJK names: 600 KB).
  it.each([
    ['NEL (C1)', '\u0085'],
    ['CJK', '中'],
    ['é', 'é'],
  ])('counts long property names (%s) by their bytes as written, so an event they make large is cut and fits', (_name, char) => {
    const clef = new CompactJsonFormatter();
    const limit = 256 * 1024;
    const body: Record<string, number> = {};
    for (let i = 0; i < 200; i++) body[`${i}:${char.repeat(1_000)}`] = i;
    const event = makeEvent({ text: 'Got {Body}', properties: { Body: body } });
    const written = Buffer.byteLength(clef.format(event));
    expect(written).toBeGreaterThan(limit);
    expect(estimateEventBytes(event)).toBeGreaterThanOrEqual(written - 64);
    const queue = new EventQueue({ maxEventBytes: limit });
    queue.push(event);
    expect(queue.truncated).toBe(1);
    const cut = queue.shift() as LogEvent;
    // Names cannot be cut as values are: the property that holds them is replaced.
    expect(cut.properties.Body).toBe('…[truncated]');
    expect(Buffer.byteLength(clef.format(cut))).toBeLessThanOrEqual(limit);
  });

  it('cuts the rendered message to half the limit', () => {
    const event = { ...makeEvent(), renderMessage: () => 'm'.repeat(50_000) };
    const cut = truncateEvent({ ...event, properties: { Big: 'x'.repeat(50_000) } }, 4_000);
    expect(cut.renderMessage()).toMatch(/^m{2000}…\[truncated 48000 chars\]$/);
  });

  it('always fits plain string-heavy events under the limit', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 3_000 }), { maxKeys: 20 }),
        fc.integer({ min: 1_500, max: 20_000 }),
        (properties, limit) => {
          const cut = truncateEvent(makeEvent({ properties }), limit);
          expect(estimateEventBytes(cut)).toBeLessThanOrEqual(limit);
          expect(Object.keys(cut.properties)).toEqual(Object.keys(properties));
        },
      ),
      { numRuns: 300 },
    );
  });
  // maxEventBytes keeps an event under a backend's limit on its size (Seq's 256 KB by default), which
  // is measured in the bytes sent: a string of 200 000 CJK characters is 600 000 bytes of UTF-8.
  it('cuts a non-ASCII string by bytes, so the CLEF line fits the limit', () => {
    const clef = new CompactJsonFormatter();
    const limit = 256 * 1024;
    const event = makeEvent({ properties: { Body: '日本語'.repeat(70_000), Emoji: '😀'.repeat(70_000) } });
    const cut = truncateEvent(event, limit);
    const line = Buffer.byteLength(clef.format(cut));
    expect(line).toBeLessThanOrEqual(limit);
    expect(line).toBeGreaterThan(limit / 2);
    // Both strings are cut (by bytes, to a common size), and never inside a character.
    expect(/^(日本語)+(日|日本)?…\[truncated \d+ chars\]$/u.test(cut.properties.Body as string)).toBe(true);
    expect(/^(😀)+…\[truncated \d+ chars\]$/u.test(cut.properties.Emoji as string)).toBe(true);
  });

  // CLEF writes a property a hole with a format renders twice: as itself and in `@r`. The estimate
  // counted it once, so `Body {Body:l}` with a 160 000-byte body passed 256 KiB and wrote 320 KB.
  it.each(['Body {Body:l}', 'Body {Body,-12:x} of {Length:0.0}'])(
    'counts what @r writes again: %s with a 160 000-byte body is cut by maxEventBytes, and its CLEF line fits',
    (text) => {
      const clef = new CompactJsonFormatter();
      const limit = 256 * 1024;
      const template = parseTemplate(text);
      const properties = { Body: 'x'.repeat(160_000), Length: 160_000 };
      const event: LogEvent = { ...makeEvent({ properties }), messageTemplate: template };
      expect(Buffer.byteLength(clef.format(event))).toBeGreaterThan(320_000);
      expect(estimateEventBytes(event)).toBeGreaterThan(320_000);
      const queue = new EventQueue({ maxEventBytes: limit });
      queue.push(event);
      expect(queue.truncated).toBe(1);
      const cut = queue.shift() as LogEvent;
      expect(cut.properties.Body).toMatch(/^x+…\[truncated \d+ chars\]$/);
      const line = Buffer.byteLength(clef.format(cut));
      expect(line).toBeLessThanOrEqual(limit);
      // Cut once for both copies: the plan counts the body twice, so no more than needed goes.
      expect(line).toBeGreaterThan(limit - 1_024);
    },
  );

  it('counts a hole without a format once, and a property each hole with a format names once more', () => {
    const body = 'x'.repeat(10_000);
    const estimate = (text: string): number =>
      estimateEventBytes({ ...makeEvent({ properties: { Body: body } }), messageTemplate: parseTemplate(text) }) - text.length;
    expect(estimate('{Body}') - estimate('')).toBe(0);
    expect(estimate('{Body,5}') - estimate('')).toBe(0);
    expect(estimate('{Body:l}') - estimate('')).toBe(10_003);
    expect(estimate('{Body:l} {Body:0}') - estimate('')).toBe(20_006);
  });

  it('keeps the JSON of cut events within the limit, within a few bytes per short string, for any code points', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.stringMatching(/^[A-Za-z]{1,8}$/), fc.string({ unit: 'binary', maxLength: 3_000, size: 'max' }), {
          maxKeys: 20,
        }),
        fc.integer({ min: 1_500, max: 20_000 }),
        (properties, limit) => {
          const cut = truncateEvent(makeEvent({ properties }), limit);
          expect(estimateEventBytes(cut)).toBeLessThanOrEqual(limit);
          // A string under 64 characters counts its length: up to 6 bytes a character more in JSON.
          const slack = 5 * 64 * Object.keys(properties).length;
          expect(Buffer.byteLength(JSON.stringify(cut.properties))).toBeLessThanOrEqual(limit + slack);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('an oversized string logged on every event', () => {
  /** How many characters of strings `run` reads (String.prototype.charCodeAt calls). */
  function charsRead(run: () => void): number {
    const original = String.prototype.charCodeAt;
    let reads = 0;
    String.prototype.charCodeAt = function (this: string, index: number): number {
      reads++;
      return original.call(this, index);
    };
    try {
      run();
    } finally {
      String.prototype.charCodeAt = original;
    }
    return reads;
  }

  // 200 000 characters, of which 1 000 of 2 bytes: unique per test, so no earlier test measured it.
  const huge = (mark: string): string => Buffer.from(`${mark}${'é'.repeat(1000)}${'x'.repeat(199_000)}`).toString('utf8');

  it('is measured and cut once, not on every event (it was read in full four times per event)', () => {
    const body = huge('fixed');
    const event = () => makeEvent({ properties: { Id: 1, Body: body } });
    const first = truncateEvent(event(), 16 * 1024);
    // As the queue does on each event: estimate it, cut it, estimate the cut.
    const again = charsRead(() => {
      for (let index = 0; index < 10; index++) estimateEventBytes(truncateEvent(event(), 16 * 1024));
    });
    // What is left reads the cut (16 KiB) a few times per event, not the 200 000 characters four times.
    expect(again).toBeLessThan(10 * 4 * 16 * 1024);
    // Compared as a boolean: a failure would print 200 000 characters.
    expect(truncateEvent(event(), 16 * 1024).properties.Body === first.properties.Body).toBe(true);
  });

  it('is cut as a string never seen before is, under each limit in turn', () => {
    const limits = [16 * 1024, 32 * 1024, 16 * 1024, 8 * 1024];
    const cold = limits.map((limit, index) => truncateEvent(makeEvent({ properties: { Body: huge(`cold${index}`) } }), limit));
    const body = huge('warm_');
    const warm = limits.map((limit) => truncateEvent(makeEvent({ properties: { Body: body } }), limit));
    for (let index = 0; index < limits.length; index++) {
      const expected = (cold[index].properties.Body as string).replace(`cold${index}`, 'warm_');
      expect(warm[index].properties.Body === expected).toBe(true);
      expect(estimateEventBytes(warm[index])).toBeLessThanOrEqual(limits[index]);
    }
  });
});

describe('queue.limitBytes bounds what a queue retains', () => {
  // A child process with --expose-gc measures the heap after garbage collection.
  interface Measured {
    grownMiB: number;
    queueBytes: number;
    queueDepth: number;
    received: number;
    dropped: number;
    pending: number;
    diagnostics: number;
  }
  function measure(kind: 'deep' | 'huge-string' | 'burst'): Measured {
    const fixture = path.join(__dirname, 'fixtures', 'queue-memory.ts');
    const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', fixture, kind], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    return JSON.parse(childStdout(child)) as Measured;
  }

  it('counts data nested deeper than any cutoff: a 4 MiB queue of deep events holds well under 32 MiB', () => {
    const { grownMiB, queueBytes } = measure('deep');
    expect(queueBytes).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(grownMiB).toBeLessThan(32);
  });

  it('holds a million calls on one turn into a sink that never settles in the default queue: 10 000 kept, the rest counted dropped, two diagnostics', () => {
    const { grownMiB, queueDepth, received, dropped, pending, diagnostics } = measure('burst');
    expect({ queueDepth, received, dropped, pending }).toEqual({
      queueDepth: 10_000,
      received: 1_000_000,
      dropped: 1_000_000 - 10_001,
      pending: 10_001, // the queue and the one event in flight
    });
    // One back-pressure diagnostic at warnAt, one for the overflow: not one per event.
    expect(diagnostics).toBe(2);
    expect(grownMiB).toBeLessThan(32);
  });

  it('lets the original of a string cut at capture be collected: a 4 MiB queue of 8 MiB strings holds well under 32 MiB', () => {
    const { grownMiB, queueBytes } = measure('huge-string');
    expect(queueBytes).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(grownMiB).toBeLessThan(32);
  });
});
