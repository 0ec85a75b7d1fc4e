import { createEventRenderer } from '../../lib/cli/create-event-renderer';
import { DEFAULT_OUTPUT_TEMPLATE } from '../../lib/formatting/text-formatter';
import { CompactJsonFormatter } from '../../lib/formatting/compact-json-formatter';
import { TextFormatter } from '../../lib/formatting/text-formatter';
import { readCompactJson } from '../../lib/formatting/read-compact-json';
import { createLogEvent } from '../../lib/templates/log-event-record';

const ESC = '\u001b';
const at = new Date(Date.UTC(2026, 10, 22, 12, 0, 0));

describe('createEventRenderer', () => {
  const event = createLogEvent('warning', 'Slow {Ms} ms', [812], { timestamp: at });
  const failed = createLogEvent('error', 'Boom', [], {
    timestamp: at,
    exception: Object.assign(new Error('bad'), { stack: 'Error: bad\n    at f (a.js:1:1)' }),
  });

  it('renders with the default output template', () => {
    expect(createEventRenderer()(event)).toBe(new TextFormatter(DEFAULT_OUTPUT_TEMPLATE).format(event));
    expect(createEventRenderer()(failed)).toMatch(/ ERR\] Boom\nError: bad\n {4}at f \(a\.js:1:1\)\n$/);
  });

  it('adds a newline when the template does not end with one', () => {
    expect(createEventRenderer({ template: '{Level:u3} {Message}' })(event)).toBe('WRN Slow 812 ms\n');
    expect(createEventRenderer({ template: '{Level:u3} {Message}{NewLine}' })(event)).toBe('WRN Slow 812 ms\n');
  });

  it('writes CLEF lines with --json', () => {
    expect(createEventRenderer({ json: true, template: '{Message}' })(event)).toBe(
      `${new CompactJsonFormatter().format(event)}\n`,
    );
  });

  it('colours each line by level, leaving newlines and information plain', () => {
    const render = createEventRenderer({ template: '{Level:u3} {Message}{NewLine}{Exception}', color: true });
    expect(render(event)).toBe(`${ESC}[33mWRN Slow 812 ms${ESC}[0m\n`);
    expect(render(failed)).toBe(
      `${ESC}[31mERR Boom${ESC}[0m\n${ESC}[31mError: bad${ESC}[0m\n${ESC}[31m    at f (a.js:1:1)${ESC}[0m\n`,
    );
    expect(render(createLogEvent('information', 'Hi', [], { timestamp: at }))).toBe('INF Hi\n');
  });

  it('never colours CLEF', () => {
    expect(createEventRenderer({ json: true, color: true })(event)).not.toContain(ESC);
  });
  // A file's template is data, not text a developer wrote: a hostile line must not drive the
  // terminal or forge a line, in the template (`@mt`) or in a message-only event (`@m`).
  it('escapes control characters in the template text of events it reads', () => {
    const line = JSON.stringify({
      '@t': '2026-11-22T12:00:00Z',
      '@mt': `Hi {N}${ESC}]0;owned\u0007\n[12:00:01 ERR] forged`,
      N: 'a',
    });
    const rendered = createEventRenderer({ template: '{Level:u3} {Message}' })(readCompactJson(line));
    expect(rendered).toBe('INF Hi a\\u001b]0;owned\\u0007\\n[12:00:01 ERR] forged\n');
    const messageOnly = JSON.stringify({ '@t': '2026-11-22T12:00:00Z', '@m': `{x}${ESC}[2J` });
    expect(createEventRenderer({ template: '{Message}' })(readCompactJson(messageOnly))).toBe('{x}\\u001b[2J\n');
    const json = createEventRenderer({ json: true })(readCompactJson(line));
    expect(JSON.parse(json)['@mt']).toBe(JSON.parse(line)['@mt']);
  });

  it('shows the line’s @r renderings when the template or a value holds control characters', () => {
    const render = createEventRenderer({ template: '{Message}' });
    const line = (mt: string, note: string): string =>
      JSON.stringify({ '@t': '2026-11-22T12:00:00Z', '@mt': mt, '@r': ['¤12.50'], Amount: 12.5, Note: note });
    expect(render(readCompactJson(line('Paid {Amount:C}\n{Note}', 'ok')))).toBe('Paid ¤12.50\\nok\n');
    expect(render(readCompactJson(line('Paid {Amount:C} {Note}', `a${ESC}b`)))).toBe('Paid ¤12.50 a\\u001bb\n');
    expect(render(readCompactJson(line('Paid {Amount,8:C} {Note}', `a${ESC}b`)))).toBe('Paid   ¤12.50 a\\u001bb\n');
  });
});
