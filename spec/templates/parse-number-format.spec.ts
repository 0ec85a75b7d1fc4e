import fc from 'fast-check';
import { formatNumber } from '../../lib/templates/format-number';
import { clearNumberFormatCache, parseNumberFormat } from '../../lib/templates/parse-number-format';

/** Custom formats of the characters the reader treats apart (and a few standard ones, whose patterns are custom ones). */
const format = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'0#.,;%‰Ee+-\'"\\ ab'), maxLength: 24 }),
  fc.constantFrom('N2', 'F0', 'C2', 'P1', 'E3', '#,##0.00', '0.00E+00', '0.0#;(0.0#);zero'),
);
const value = fc.oneof(
  fc.double(),
  fc.integer().map((n) => n / 1000),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
);

describe('parseNumberFormat', () => {
  afterEach(() => clearNumberFormatCache());

  it('formats every value with a cached format as with the format read afresh', () => {
    fc.assert(
      fc.property(format, fc.array(value, { minLength: 1, maxLength: 4 }), (text, values) => {
        const fresh = values.map((v) => {
          clearNumberFormatCache();
          return formatNumber(v, text);
        });
        // The same format again: read once, from the cache for every value after the first.
        expect(values.map((v) => formatNumber(v, text))).toEqual(fresh);
      }),
      { numRuns: 2_000 },
    );
  });

  it('reads a format once and hands the same sections out again', () => {
    expect(parseNumberFormat('#,##0.00;(#,##0.00)')).toBe(parseNumberFormat('#,##0.00;(#,##0.00)'));
  });

  it('keeps formatting right past its bound, when it forgets what it held', () => {
    // 1 500 distinct formats are more than the cache holds: it is cleared on the way.
    for (let i = 0; i < 1_500; i++) expect(formatNumber(1234.5, `#,##0.0 '${i}'`)).toBe(`1,234.5 ${i}`);
    expect(formatNumber(1234.5, "#,##0.0 '0'")).toBe('1,234.5 0');
  });
});
