import { SelfLog, type SelfLogEvent } from '../../lib/core/self-log';
import type { Formatter } from '../../lib/core/sink';
import { formatLines, wholeLines } from '../../lib/node/format-lines';
import { makeEvents } from '../helpers/events';

describe('formatLines', () => {
  it('ends every line with exactly one newline', () => {
    const formatter: Formatter = { format: (e) => (e.properties.N === 0 ? 'a' : e.properties.N === 1 ? 'b\n' : '') };
    expect(formatLines(formatter, makeEvents(3), [], 'Test')).toEqual(['a\n', 'b\n', '\n']);
  });

  it('reuses and clears the array it is given', () => {
    const lines = ['stale\n', 'stale\n', 'stale\n'];
    const result = formatLines({ format: () => 'x' }, makeEvents(1), lines, 'Test');
    expect(result).toBe(lines);
    expect(lines).toEqual(['x\n']);
  });

  it('skips an event the formatter throws on and reports it with its owner', () => {
    const seen: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((d) => seen.push(d));
    const formatter: Formatter = {
      format: (e) => {
        if (e.properties.N === 1) throw new Error('bad event');
        return String(e.properties.N);
      },
    };
    expect(formatLines(formatter, makeEvents(3), [], 'MySink')).toEqual(['0\n', '2\n']);
    subscription.unsubscribe();
    expect(seen).toHaveLength(1);
    expect(seen[0].message).toContain('MySink');
    expect(seen[0].message).toContain('bad event');
  });

  it.each([false, true])(
    'skips an event the formatter returns no string for (singleLine %s) and reports it, instead of failing the batch',
    (singleLine) => {
      const seen: SelfLogEvent[] = [];
      const subscription = SelfLog.events$.subscribe((d) => seen.push(d));
      // A JavaScript formatter that returns nothing for some events.
      const formatter = {
        singleLine,
        format: (e: { properties: Record<string, unknown> }) => (e.properties.N === 1 ? undefined : String(e.properties.N)),
      } as unknown as Formatter;
      let lines: string[] = [];
      expect(() => (lines = formatLines(formatter, makeEvents(3), [], 'MySink'))).not.toThrow();
      subscription.unsubscribe();
      expect(lines).toEqual(['0\n', '2\n']);
      expect(seen).toHaveLength(1);
      expect(seen[0].message).toContain('MySink');
      expect(seen[0].message).toContain('undefined');
    },
  );
});

describe('wholeLines', () => {
  it('counts the lines that fit whole in the bytes written, and their bytes', () => {
    const lines = ['ab\n', 'é\n', 'cd\n'];
    expect(wholeLines(lines, 0)).toEqual({ whole: 0, lineCount: 0 });
    expect(wholeLines(lines, 2)).toEqual({ whole: 0, lineCount: 0 });
    expect(wholeLines(lines, 3)).toEqual({ whole: 3, lineCount: 1 });
    // 'é' is two bytes in UTF-8: its line takes 3.
    expect(wholeLines(lines, 5)).toEqual({ whole: 3, lineCount: 1 });
    expect(wholeLines(lines, 6)).toEqual({ whole: 6, lineCount: 2 });
    expect(wholeLines(lines, 100)).toEqual({ whole: 9, lineCount: 3 });
  });
});
