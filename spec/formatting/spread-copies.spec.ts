import type { Formatter } from '../../lib/core/sink';
import type { LogEvent } from '../../lib/core/log-event';
import { CompactJsonFormatter } from '../../lib/formatting/compact-json-formatter';
import { NdjsonFormatter } from '../../lib/formatting/ndjson-formatter';
import { TextFormatter } from '../../lib/formatting/text-formatter';
import { LogEventRecord } from '../../lib/templates/log-event-record';
import { parseTemplateCached } from '../../lib/templates/template-cache';

// What an app's own sink gets from `log.events$.pipe(map((e) => ({ ...e, properties: … })))`: it
// compiles (LogEvent is an interface), but the copy has only the record's own fields, `timeMs`
// among them, and neither the `timestamp` getter nor `renderMessage()`, which live on the class.
describe('a formatter given a spread copy of an event', () => {
  const error = new Error('boom');
  const record = new LogEventRecord(
    Date.UTC(2026, 11, 3, 10, 0, 0, 123),
    'warning',
    parseTemplateCached('Order {OrderId:000} by {User}'),
    { OrderId: 7 },
    error,
  );
  const event: LogEvent = record;
  const copy: LogEvent = { ...event, properties: { ...event.properties, User: 'ann' } };
  const same = new LogEventRecord(record.timeMs, 'warning', record.messageTemplate, { OrderId: 7, User: 'ann' }, error);

  it.each<[string, Formatter]>([
    ['CompactJsonFormatter', new CompactJsonFormatter()],
    ['CompactJsonFormatter with @m', new CompactJsonFormatter({ renderMessage: true })],
    ['NdjsonFormatter', new NdjsonFormatter()],
    ['TextFormatter', new TextFormatter('{Timestamp:o} {Level:u3} {Message:lj} {Properties:j}{NewLine}{Exception}')],
  ])('%s writes it as the event it copies, with its time and rendered message', (_, formatter) => {
    const written = formatter.format(copy);
    expect(written).toBe(formatter.format(same));
    expect(written).not.toContain('Unformattable');
  });
});
