import fc from 'fast-check';
import { otlpPartialSuccess } from '../../../lib/sinks/http/otlp-partial-success';

describe('otlpPartialSuccess', () => {
  it('reads the rejected count as a string or a number, and the message', () => {
    expect(otlpPartialSuccess('{"partialSuccess":{"rejectedLogRecords":"3","errorMessage":"too big"}}')).toEqual({
      rejected: 3,
      message: 'too big',
    });
    expect(otlpPartialSuccess('{"partialSuccess":{"rejectedLogRecords":2}}')).toEqual({ rejected: 2, message: '' });
  });

  it("reads the proto's snake_case names too", () => {
    expect(otlpPartialSuccess('{"partial_success":{"rejected_log_records":"4","error_message":"x"}}')).toEqual({
      rejected: 4,
      message: 'x',
    });
  });

  it('keeps a warning without rejected records', () => {
    expect(otlpPartialSuccess('{"partialSuccess":{"errorMessage":"deprecated field"}}')).toEqual({
      rejected: 0,
      message: 'deprecated field',
    });
  });

  it('reads the count of an answer cut short after it (HttpSink reads 16 KiB), with the start as the message', () => {
    const cut = '{"partialSuccess":{"rejectedLogRecords":"7","errorMessage":"' + 'x'.repeat(300);
    expect(otlpPartialSuccess(cut)).toEqual({ rejected: 7, message: `${cut.slice(0, 200)}…` });
    expect(otlpPartialSuccess('{"partialSuccess":{"rejectedLogRecords":12,"errorMessage":"cut')).toMatchObject({ rejected: 12 });
    // Pretty-printed, as a receiver other than the Collector may write it (protojson with indentation).
    expect(
      otlpPartialSuccess('{\n  "partialSuccess": {\n    "rejectedLogRecords": "5",\n    "errorMessage": "cut'),
    ).toMatchObject({ rejected: 5 });
    expect(otlpPartialSuccess('{ "partialSuccess" : { "rejectedLogRecords" : 3 , "errorMessage" : "cut')).toMatchObject({
      rejected: 3,
    });
    // The proto's snake_case names, which a whole answer may use too (a receiver writing proto field
    // names): before, such a cut answer counted its batch delivered whole.
    expect(otlpPartialSuccess('{"partial_success":{"rejected_log_records":"6","error_message":"cut')).toMatchObject({
      rejected: 6,
    });
    // Nothing to count: no count before the cut, or no whole number.
    for (const text of [
      '{"partialSuccess":{"errorMessage":"cut',
      '{"partialSuccess":{"rejectedLogRecords":"1e3","errorMessage":"cut',
      '{"partialSuccess":{"errorMessage":"cut \\"rejectedLogRecords\\":\\"2\\",',
    ])
      expect(otlpPartialSuccess(text)).toBeUndefined();
  });

  // An int64 past 2^53 (a broken collector's claim): more than any batch, so the whole batch, as a
  // smaller impossible claim is. Before, it counted nothing rejected.
  it('reads a whole count past 2^53 as the most there is', () => {
    expect(otlpPartialSuccess('{"partialSuccess":{"rejectedLogRecords":"9223372036854775807"}}')).toEqual({
      rejected: Number.MAX_SAFE_INTEGER,
      message: '',
    });
    expect(otlpPartialSuccess('{"partialSuccess":{"rejectedLogRecords":1e19}}')).toMatchObject({
      rejected: Number.MAX_SAFE_INTEGER,
    });
  });

  it('finds nothing in an empty success, a body that is not JSON, or a count that is not a whole positive number', () => {
    for (const text of [
      '',
      '{}',
      '{"partialSuccess":{}}',
      '{"partialSuccess":null}',
      'OK',
      '{"partialSuccess":',
      '{"partialSuccess":{"rejectedLogRecords":-1}}',
      '{"partialSuccess":{"rejectedLogRecords":"1e400"}}',
      '{"partialSuccess":{"rejectedLogRecords":1.5}}',
      '{"partialSuccess":{"rejectedLogRecords":{"valueOf":3}}}',
      '{"__proto__":{"partialSuccess":{"rejectedLogRecords":3}}}',
    ]) {
      expect(otlpPartialSuccess(text)).toBeUndefined();
    }
  });

  it('never throws, whatever the collector answers', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        const result = otlpPartialSuccess(text);
        if (result !== undefined) expect(Number.isSafeInteger(result.rejected) && result.rejected >= 0).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
