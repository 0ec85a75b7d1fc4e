import { CompactJsonFormatter } from '../../lib/formatting/compact-json-formatter';
import { readCompactJson } from '../../lib/formatting/read-compact-json';
import { templateEventId } from '../../lib/formatting/template-event-id';
import { LogEventRecord } from '../../lib/templates/log-event-record';
import { parseTemplate } from '../../lib/templates/parse-template';
import { MAX_RENDERED_LENGTH, RENDER_CUT_MARKER } from '../../lib/templates/render-template';
import { collectSelfLog } from '../helpers/self-log';

// CLEF's `@r` holds one rendering per formatted hole, as Serilog's writer does: many formatted holes
// naming one large property wrote it once per hole. A 0.8 MB line (a 50 000-item array named by
// 100 000 `{A:0}` holes) took 29 s in the writer, and then past V8's longest string it threw, so the
// event became an `Unformattable event` line. The message was already bounded (rendered-length-bound);
// now `@r` stops once the line is as long as a message may be, and a structure is written once per line.
const T0 = '2026-11-22T12:00:00.000Z';
const MEGA = 'x'.repeat(2 ** 20);

function event(template: string, properties: Record<string, unknown>): LogEventRecord {
  return new LogEventRecord(new Date(T0), 'information', parseTemplate(template), properties);
}

describe('CompactJsonFormatter @r of a structure named by many formatted holes', () => {
  it('writes the structure once per line, whatever the holes’ formats and alignments', () => {
    let reads = 0;
    const structure = {
      get n(): number {
        reads++;
        return 1;
      },
    };
    const line = new CompactJsonFormatter().format(event('{A:x} {A,9:0.0} {A:l} {N:x}', { A: structure, N: 255 }));
    expect(JSON.parse(line)).toMatchObject({ '@r': ['{"n":1}', '  {"n":1}', '{"n":1}', 'ff'], A: { n: 1 } });
    // Once for @r, once for the property itself.
    expect(reads).toBe(2);
  });
});

describe('CompactJsonFormatter @r past MAX_RENDERED_LENGTH', () => {
  const template = '{A:l}'.repeat(600);
  const head = `{"@t":"${T0}","@mt":"${template}"`;
  const id = `,"@i":"${templateEventId(template)}"`;

  it('stops once the line is as long as a message may be, the renderings after it left out, and the line written', () => {
    const selfLog = collectSelfLog();
    try {
      const line = new CompactJsonFormatter().format(readCompactJson(`{"@t":"${T0}","@mt":"${template}","A":"${MEGA}"}`));
      // The 256th rendering takes the line past 2^28: the other 344 are left out, and a reader
      // renders those holes itself, as for any @r shorter than its formatted holes.
      const renderings = Array<string>(256).fill(`"${MEGA}"`).join(',');
      expect(line.length).toBe(`${head}${id},"@r":[${renderings}],"A":"${MEGA}"}`.length);
      expect(line.startsWith(`${head}${id},"@r":["xxx`)).toBe(true);
      expect(line.endsWith(`xxx"],"A":"${MEGA}"}`)).toBe(true);
      expect(MAX_RENDERED_LENGTH).toBe(2 ** 28);
      expect(selfLog.diagnostics).toEqual([]);
    } finally {
      selfLog.stop();
    }
  });

  it('counts @m in the line, so a message at its bound leaves @r empty and the line is still written', () => {
    const selfLog = collectSelfLog();
    try {
      const line = new CompactJsonFormatter({ renderMessage: true }).format(event(template, { A: MEGA }));
      const message = `${'x'.repeat(MAX_RENDERED_LENGTH)}${RENDER_CUT_MARKER}`;
      expect(line.length).toBe(`${head},"@m":"${message}"${id},"@r":[],"A":"${MEGA}"}`.length);
      expect(line.endsWith(`xxx${RENDER_CUT_MARKER}"${id},"@r":[],"A":"${MEGA}"}`)).toBe(true);
      expect(selfLog.diagnostics).toEqual([]);
    } finally {
      selfLog.stop();
    }
  });
});
