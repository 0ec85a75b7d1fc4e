import { CompactJsonFormatter } from '../../../lib/formatting/compact-json-formatter';
import { TextFormatter } from '../../../lib/formatting/text-formatter';
import { lokiPushBody } from '../../../lib/sinks/http/loki-push-body';
import { makeEvent } from '../../helpers/events';

describe('lokiPushBody', () => {
  const at = new Date(1_700_000_000_123);

  it('groups lines into one stream per level, labelled, in event order', () => {
    const events = [
      makeEvent({ text: 'a', timestamp: at }),
      makeEvent({ text: 'b', level: 'error', timestamp: at }),
      makeEvent({ text: 'c', timestamp: new Date(1_700_000_000_124) }),
    ];
    const body = lokiPushBody(events, { app: 'shop' }, new TextFormatter('{Message}{NewLine}'));
    expect(JSON.parse(body)).toEqual({
      streams: [
        {
          stream: { app: 'shop', level: 'info' },
          values: [
            ['1700000000123000000', 'a'],
            ['1700000000124000000', 'c'],
          ],
        },
        { stream: { app: 'shop', level: 'error' }, values: [['1700000000123000000', 'b']] },
      ],
    });
  });

  it('labels the levels with the names Grafana knows and writes CLEF lines with the CLEF formatter', () => {
    const levels = (['verbose', 'debug', 'information', 'warning', 'error', 'fatal'] as const).map((level) =>
      makeEvent({ level }),
    );
    const clef = new CompactJsonFormatter();
    const parsed = JSON.parse(lokiPushBody(levels, {}, clef)) as { streams: { stream: { level: string }; values: string[][] }[] };
    expect(parsed.streams.map((s) => s.stream.level)).toEqual(['trace', 'debug', 'info', 'warning', 'error', 'fatal']);
    expect(parsed.streams[0].values[0][1]).toBe(clef.format(levels[0]));
  });
});
