import { jsonHalves } from '../../../lib/sinks/http/json-halves';

const OTLP = ['resourceLogs', 'scopeLogs', 'logRecords'];

describe('jsonHalves', () => {
  it('cuts the records of an OTLP body in document order, keeping the resource and each scope around its records', () => {
    const body = JSON.stringify({
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop' } }] },
          scopeLogs: [
            { scope: { name: 'A' }, logRecords: [{ n: 0 }, { n: 1 }] },
            { scope: { name: 'B' }, logRecords: [{ n: 2 }] },
          ],
        },
      ],
    });
    const halves = jsonHalves({ body, count: 3 }, OTLP)!;
    expect(halves.map((half) => half.count)).toEqual([2, 1]);
    const [first, second] = halves.map(
      (half) => JSON.parse(half.body) as { resourceLogs: [{ resource: unknown; scopeLogs: unknown }] },
    );
    expect(first.resourceLogs[0].scopeLogs).toEqual([{ scope: { name: 'A' }, logRecords: [{ n: 0 }, { n: 1 }] }]);
    expect(second.resourceLogs[0].scopeLogs).toEqual([{ scope: { name: 'B' }, logRecords: [{ n: 2 }] }]);
    expect(second.resourceLogs[0].resource).toEqual(first.resourceLogs[0].resource);
  });

  it('cuts inside a group, and cuts Loki streams', () => {
    const body = JSON.stringify({
      streams: [
        { stream: { level: 'info' }, values: [['1', 'a']] },
        {
          stream: { level: 'error' },
          values: [
            ['2', 'b'],
            ['3', 'c'],
            ['4', 'd'],
          ],
        },
      ],
    });
    const [first, second] = jsonHalves({ body, count: 4 }, ['streams', 'values'])!;
    expect(JSON.parse(first.body)).toEqual({
      streams: [
        { stream: { level: 'info' }, values: [['1', 'a']] },
        { stream: { level: 'error' }, values: [['2', 'b']] },
      ],
    });
    expect(JSON.parse(second.body)).toEqual({
      streams: [
        {
          stream: { level: 'error' },
          values: [
            ['3', 'c'],
            ['4', 'd'],
          ],
        },
      ],
    });
    expect([first.count, second.count]).toEqual([2, 2]);
  });

  it('cannot cut a single event, a body of another shape, nor one whose items are not its count', () => {
    expect(jsonHalves({ body: '{"streams":[{"values":[1]}]}', count: 1 }, ['streams', 'values'])).toBeUndefined();
    expect(jsonHalves({ body: 'not json', count: 2 }, ['streams', 'values'])).toBeUndefined();
    expect(jsonHalves({ body: '{"streams":{"values":[1,2]}}', count: 2 }, ['streams', 'values'])).toBeUndefined();
    expect(jsonHalves({ body: '{"streams":[{"values":[1,2]}]}', count: 3 }, ['streams', 'values'])).toBeUndefined();
  });
});
