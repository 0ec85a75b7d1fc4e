import fc from 'fast-check';
import { formatNumber } from '../../lib/templates/format-number';

describe('formatNumber', () => {
  it.each<[number, string, string]>([
    [5, '0', '5'],
    [5.5, '0', '6'],
    [5, '000', '005'],
    [12345, '000', '12345'],
    [3.14159, '0.00', '3.14'],
    [3, '0.00', '3.00'],
    [0.5, '#.##', '.5'],
    [1.5, '0.0#', '1.5'],
    [1.234, '0.0#', '1.23'],
    [12.5, '.00', '12.50'],
    [1234.5, '#,##0.00', '1,234.50'],
    [1234567.891, '#,##0', '1,234,568'],
    [1234567, '#,#,', '1,235'],
    [0.256, '0.0%', '25.6%'],
    [-5, '$#,##0.00', '-$5.00'],
    [-5, '0;(0)', '(5)'],
    [5, '0;(0)', '5'],
    [0, '0;(0);zero', 'zero'],
    [7, "0' items'", '7 items'],
    [7, '\\#0', '#7'],
  ])('formats %p with the custom format %p as %p', (value, format, expected) => {
    expect(formatNumber(value, format)).toBe(expected);
  });

  it.each<[number, string, string]>([
    [1234567.891, 'N2', '1,234,567.89'],
    [1234567.891, 'n0', '1,234,568'],
    [-1234.5, 'N1', '-1,234.5'],
    [1234.5, 'N', '1,234.50'],
    [3.14159, 'F2', '3.14'],
    [3, 'f', '3.00'],
    [42, 'D5', '00042'],
    [-42, 'd5', '-00042'],
    [255, 'X', 'FF'],
    [255, 'x', 'ff'],
    [255, 'X8', '000000FF'],
    [-1, 'X', 'FFFFFFFF'],
    [0.1234, 'P1', '12.3 %'],
    [0.5, 'P', '50.00 %'],
    [12345.678, 'E2', '1.23E+004'],
    [0.00012, 'e1', '1.2e-004'],
    [1.5, 'G', '1.5'],
    [123.456, 'G4', '123.5'],
    [0.1, 'R', '0.1'],
  ])('formats %p with the standard format %p as %p', (value, format, expected) => {
    expect(formatNumber(value, format)).toBe(expected);
  });

  it.each<[number, string, string]>([
    [0.0000023, 'G', '2.3E-06'],
    [0.0000023, 'g', '2.3e-06'],
    [0.0001, 'G', '0.0001'],
    [0.00001, 'G', '1E-05'],
    [1234, 'G2', '1.2E+03'],
    [1234, 'G', '1234'],
    [1234, 'G4', '1234'],
    [1234, 'G5', '1234'],
    [123456789, 'G3', '1.23E+08'],
    [1e15, 'G', '1000000000000000'],
    [1e21, 'G', '1E+21'],
    [1.5e15, 'G', '1500000000000000'],
    [1234567.5e10, 'G', '12345675000000000'],
    [1234567890123456.8, 'G', '1234567890123456.8'],
    [-1.5e16, 'G', '-15000000000000000'],
    [1e17, 'G', '1E+17'],
    [123456789012345680, 'G', '1.2345678901234568E+17'],
    [123456789012345, 'G', '123456789012345'],
    [1.5e300, 'G', '1.5E+300'],
    [-0.0000023, 'G', '-2.3E-06'],
    [12345.6789, 'G', '12345.6789'],
    [12345.6789, 'G7', '12345.68'],
    [0.5, 'G1', '0.5'],
    [0, 'G', '0'],
    [100, 'G2', '1E+02'],
    [1.0, 'G3', '1'],
  ])('formats %p with %p as .NET does (%p)', (value, format, expected) => {
    expect(formatNumber(value, format)).toBe(expected);
  });

  // .NET Core 3.0+ keeps the sign of a negative double that is zero or rounds to zero (dotnet/runtime#59570,
  // dotnet/core#4273); a custom format with no digit left writes no sign at all.
  it.each<[number, string, string]>([
    [-0, 'N2', '-0.00'],
    [-0.001, 'N2', '-0.00'],
    [-0.001, 'F2', '-0.00'],
    [-0.03, 'f1', '-0.0'],
    [-0, 'F', '-0.00'],
    [-0, 'E2', '-0.00E+000'],
    [-0, 'G', '-0'],
    [-0, 'R', '-0'],
    [-0.001, 'P0', '-0 %'],
    [-0.001, '0.00', '-0.00'],
    [-0.1, '0', '-0'],
    [-0, '0.00', '-0.00'],
    [-0, '#', ''],
    [-0.001, '#.##', ''],
    [-0, 'D', '0'],
    [-0, 'X', '0'],
  ])('keeps the sign of %p with %p as .NET Core 3.0+ does (%p)', (value, format, expected) => {
    expect(formatNumber(value, format)).toBe(expected);
  });

  // .NET's section rules: a value that rounds to zero takes the zero section; with two sections a negative that
  // rounds to zero is formatted by the first section, with no sign (dotnet/runtime#13712, #130558).
  it.each<[number, string, string]>([
    [-0.001, '0;-0;zero', 'zero'],
    [0.001, '0;-0;zero', 'zero'],
    [-0, '0;(0);zero', 'zero'],
    [-0.01, '0.#;-0.#', '0'],
    [-0.001, '+0.00;-0.00', '+0.00'],
    [-0.001, '0.0;(0.0)', '0.0'],
    [-0.05, '0.0;(0.0)', '(0.1)'],
    [-0.001, '0.00;;zero', 'zero'],
    [-5, '0;;zero', '-5'],
  ])('chooses the section of %p with %p after rounding (%p)', (value, format, expected) => {
    expect(formatNumber(value, format)).toBe(expected);
  });

  // .NET formats a double with a custom format from its first 15 significant digits (DoublePrecisionCustomFormat),
  // rounded half away from zero, and scales by %, ‰ and ',' by moving the decimal point, not by multiplying.
  it.each<[number, string, string]>([
    [1.005, '0.00', '1.01'],
    [2.675, '0.00', '2.68'],
    [-2.675, '0.00', '-2.68'],
    [0.285, '0%', '29%'],
    [0.1 + 0.2, '0.000000000000000000', '0.300000000000000000'],
    [123456789012345680, '0', '123456789012346000'],
    [1e300, '0', `1${'0'.repeat(300)}`],
    [5e-324, '0.00', '0.00'],
    [0.5, '#', '1'],
    [2.5, '0', '3'],
    [-2.5, '0', '-3'],
    [9.995, '0.00', '10.00'],
    [0.0005, '0.000', '0.001'],
    [1234567, '0,,.00', '1.23'],
  ])('formats %p with the custom format %p from 15 significant digits (%p)', (value, format, expected) => {
    expect(formatNumber(value, format)).toBe(expected);
  });

  // The examples of learn.microsoft.com's "Custom numeric format strings" and "Standard numeric format strings"
  // pages, as .NET writes them with the invariant culture (Serilog's default format provider). The
  // custom exponent examples (`0.###E+000`) are in their own table below.
  describe('conformance with .NET’s documented examples (invariant culture)', () => {
    it.each<[number, string, string]>([
      [1234.5678, '00000', '01235'],
      [0.45678, '0.00', '0.46'],
      [123, '00000', '00123'],
      [1.2, '0.00', '1.20'],
      [1.2, '00.00', '01.20'],
      [0.56, '0.0', '0.6'],
      [34.5, '00', '35'],
      [1234567890, '0,0', '1,234,567,890'],
      [1234567890.123456, '0,0.0', '1,234,567,890.1'],
      [1234.56789, '0,0.00', '1,234.57'],
      [1234.5678, '#####', '1235'],
      [0.45678, '#.##', '.46'],
      [1.2, '#.##', '1.2'],
      [123, '#####', '123'],
      [3, '####', '3'],
      [123456, '[##-##-##]', '[12-34-56]'],
      [1234567890, '#', '1234567890'],
      [1234567890, '(###) ###-####', '(123) 456-7890'],
      [2147483647, '##,#', '2,147,483,647'],
      [2147483647, '#,#,,', '2,147'],
      [1234567890, '#,#', '1,234,567,890'],
      [1234567890, '#,##0,,', '1,235'],
      [1234567890, '#,,', '1235'],
      [1234567890, '#,,,', '1'],
      [0.3697, '%#0.00', '%36.97'],
      [0.3697, '##.0 %', '37.0 %'],
      [0.086, '#0.##%', '8.6%'],
      [0.03697, '#0.00‰', '36.97‰'],
      [0.00354, '#0.## ‰', '3.54 ‰'],
      [987654, '\\###00\\#', '#987654#'],
      [68, "# 'degrees'", '68 degrees'],
      [68, "#' degrees'", '68 degrees'],
      [123, '\\#\\#\\# ##0 dollars and \\0\\0 cents \\#\\#\\#', '### 123 dollars and 00 cents ###'],
      [12.345, '#0.0#;(#0.0#);-\\0-', '12.35'],
      [0, '#0.0#;(#0.0#);-\\0-', '-0-'],
      [-12.345, '#0.0#;(#0.0#);-\\0-', '(12.35)'],
      [12.345, '#0.0#;(#0.0#)', '12.35'],
      [0, '#0.0#;(#0.0#)', '0.0'],
      [-12.345, '#0.0#;(#0.0#)', '(12.35)'],
      [1234, '##;(##)', '1234'],
      [-1234, '##;(##)', '(1234)'],
      [0, '##;(##);**Zero**', '**Zero**'],
      [-0.4, '0', '-0'],
    ])('formats %p with the custom format %p as %p', (value, format, expected) => {
      expect(formatNumber(value, format)).toBe(expected);
    });

    it.each<[number, string, string]>([
      [1234, 'D', '1234'],
      [-1234, 'D6', '-001234'],
      [25, 'D5', '00025'],
      [1052.0329112756, 'E', '1.052033E+003'],
      [-1052.0329112756, 'e2', '-1.05e+003'],
      [250000, 'E', '2.500000E+005'],
      [1234.5678, 'E3', '1.235E+003'],
      [1234.567, 'F', '1234.57'],
      [1234, 'F1', '1234.0'],
      [-1234.56, 'F4', '-1234.5600'],
      [25, 'F2', '25.00'],
      [25, 'F0', '25'],
      [-123.456, 'G', '-123.456'],
      [123.4546, 'G4', '123.5'],
      [-1.23456789e-25, 'G', '-1.23456789E-25'],
      [2.5, 'G', '2.5'],
      [1234.567, 'N', '1,234.57'],
      [1234, 'N1', '1,234.0'],
      [-1234.56, 'N3', '-1,234.560'],
      [2500000, 'N', '2,500,000.00'],
      // NumberFormatInfo.InvariantInfo: PercentPositivePattern 0 ("n %"), PercentNegativePattern 0 ("-n %").
      [1, 'P', '100.00 %'],
      [-0.39678, 'P1', '-39.7 %'],
      [250, 'X', 'FA'],
      [0xffff, 'X', 'FFFF'],
      [255, 'X4', '00FF'],
      [123456789, 'X', '75BCD15'],
      [123456789, 'X2', '75BCD15'],
      [-1, 'x', 'ffffffff'],
      [123456789.12345678, 'R', '123456789.12345678'],
      // The docs' -1234567890.12345678, as the double it parses to.
      [-1234567890.1234567, 'R', '-1234567890.1234567'],
    ])('formats %p with the standard format %p as %p', (value, format, expected) => {
      expect(formatNumber(value, format)).toBe(expected);
    });

    // Since .NET Core 3.0, R is the shortest round-trip string written as G writes it (dotnet/coreclr#22040):
    // exponent notation below 1E-05 and from 1E+17 on (the shortest digits are written with at least DoublePrecision, 17,
    // as nMaxDigits: Number.Formatting.cs), where JavaScript's String() switches only at 1e-7 and 1e21.
    it.each<[number, string, string]>([
      [0.00001623, 'R', '1.623E-05'],
      [0.00001623, 'r', '1.623e-05'],
      [1.5e16, 'R', '15000000000000000'],
      [9.999999999999998e16, 'R', '99999999999999980'],
      [1e17, 'R', '1E+17'],
      [1e20, 'R', '1E+20'],
      [0.1 + 0.2, 'R', '0.30000000000000004'],
      [Math.PI, 'R', '3.141592653589793'],
      [-1.23456789012e-7, 'R', '-1.23456789012E-07'],
      [0.00001623, 'R5', '1.623E-05'],
    ])('formats %p with %p as G does without a precision (%p)', (value, format, expected) => {
      expect(formatNumber(value, format)).toBe(expected);
    });
  });

  // learn.microsoft.com "Custom numeric format strings", "E0" / "E+0" / "E-0": an exponent after a run of placeholders
  // is scientific notation (.NET's NumberToStringFormat: as many significant digits as placeholders, the integer
  // placeholders fixing the exponent, at least as many exponent digits as zeros, `+` only with `E+`). Before, the
  // zeros of the exponent were read as fraction placeholders: 1.23456 with `0.00E+00` rendered as `1.23E+46`.
  it.each<[number, string, string]>([
    [86000, '0.###E+0', '8.6E+4'],
    [86000, '0.###E+000', '8.6E+004'],
    [86000, '0.###E-000', '8.6E004'],
    [1.23456, '0.00E+00', '1.23E+00'],
    [1234.5, '0.0e-0', '1.2e3'],
    [0.000123, '0.0E-0', '1.2E-4'],
    [0.000123, '0.0E+0', '1.2E-4'],
    [-12345, '0.0E+0', '-1.2E+4'],
    [0, '0.0E+0', '0.0E+0'],
    [9.99, '0.0E+0', '1.0E+1'],
    [12, '0E0', '1E1'],
    [1234.5, '##0.0E+0', '123.5E+1'],
    [0.5, '0.0E+0%', '5.0E+1%'],
    [1.5, '0.0E+0E+0', '1.5E+0E+0'],
    // Known difference (docs/conformance.md): a second exponent in a section is the exponent again; .NET writes its text.
    [86000, '0.0E+0 E+0', '8.6E+4 E+4'],
    [5, '0 E+5', '5 E+5'],
    [1e300, '0.00E+0', '1.00E+300'],
    [-1.5, '0.0E+0;(0.0E+0)', '(1.5E+0)'],
    [1.5, '0E+0000', '2E+0000'],
    [150, '#E+0', '2E+2'],
    [150, '.0E+0', '.2E+3'],
    [123.456, '#.#E0', '1.2E2'],
    [1, '##E+0', '10E-1'],
    // .NET fills every integer placeholder of a scientific format, `#` too, so zero writes its zeros.
    [0, '#E+0', '0E+0'],
    [0, '##.#E+0', '00E+0'],
    // Without placeholders after the point, .NET writes no point (NumberToStringFormat writes one only before a
    // fraction digit or a `0`): 5 rounds to no digit, carrying into the exponent. Before, a stray `.` came out (`E+2.`).
    [5, 'E+0.', 'E+2'],
    [5, '.E+0', 'E+2'],
    [5, '#.E+0', '5E+0'],
    [0.95, '.0E+0', '.1E+1'],
  ])('formats %p with the scientific custom format %p as .NET does (%p)', (value, format, expected) => {
    expect(formatNumber(value, format)).toBe(expected);
  });

  it("writes as many decimals as a custom format asks for, past toFixed's limit of 100", () => {
    expect(formatNumber(1.5, `0.${'0'.repeat(150)}`)).toBe(`1.5${'0'.repeat(149)}`);
    expect(formatNumber(-1.5, `0.${'#'.repeat(150)}`)).toBe('-1.5');
    expect(formatNumber(1.5, `0.${'0'.repeat(120)}%`)).toBe(`150.${'0'.repeat(120)}%`);
  });

  // P rounds the value itself to two more decimals and moves the point (.NET's Scale += 2), so no multiplication error.
  it.each<[number, string, string]>([
    [1.44225, 'P2', '144.23 %'],
    [5.28205, 'P2', '528.20 %'],
    [3.6995, 'P1', '370.0 %'],
    [0.5, 'P99', `50.${'0'.repeat(99)} %`],
    [1e21, 'P0', '100,000,000,000,000,000,000,000 %'],
  ])('formats %p with %p from the exact value (%p)', (value, format, expected) => {
    expect(formatNumber(value, format)).toBe(expected);
  });

  it('groups digits of a long format correctly, and ignores a format longer than 1 000 characters', () => {
    const wide = `#,${'0'.repeat(997)}`;
    const text = formatNumber(1234.5, wide);
    expect(text).toHaveLength(997 + Math.floor((997 - 1) / 3));
    expect(text.endsWith('001,235')).toBe(true);
    expect(text.replace(/,/g, '')).toBe('1235'.padStart(997, '0'));
    expect(formatNumber(1234.5, `#,${'0'.repeat(20_000)}`)).toBe('1234.5');
    expect(formatNumber(1234.5, `0.${'0'.repeat(1000)}`)).toBe('1234.5');
  });

  // .NET's NumberToStringFormat: a custom format without a digit placeholder writes its literal characters only, the
  // value still choosing the section and its sign (rounded to an integer, as with no decimals). Before, rxlog wrote the
  // number as without a format: 5 with `kg` rendered as `5`.
  it.each<[number, string, string]>([
    [5, 'kg', 'kg'],
    [5, "'units'", 'units'],
    [1234.5, 'n/a', 'n/a'],
    [-5, 'kg', '-kg'],
    [-0.4, 'kg', '-kg'],
    [0, 'kg', 'kg'],
    [-5, 'kg;minus', 'minus'],
    [0.4, 'kg;minus;none', 'none'],
    [0.5, '%', '%'],
    [5, '\\kg', 'kg'],
  ])('formats %p with %p, a format without digit placeholders, as its literals (%p)', (value, format, expected) => {
    expect(formatNumber(value, format)).toBe(expected);
  });

  // A letter, or a letter and digits, that is no standard format makes .NET throw FormatException (and Serilog lose
  // the event at that sink); rxlog writes the number as without a format. `lj`, Serilog's rendering hint, too.
  it('renders unknown formats and integer-only formats of fractions as the default', () => {
    expect(formatNumber(1.5, 'lj')).toBe('1.5');
    expect(formatNumber(5, 'l')).toBe('5');
    expect(formatNumber(-5, 'q')).toBe('-5');
    expect(formatNumber(1.5, 'u3')).toBe('1.5');
    expect(formatNumber(1.5, 'D2')).toBe('1.5');
    expect(formatNumber(1.5, 'X')).toBe('1.5');
    expect(formatNumber(1.5, 'Q')).toBe('1.5');
  });

  // .NET takes a precision up to 999 999 999; rxlog up to 100 (toFixed's and toExponential's limit), and renders a larger
  // one as without a format. Before, a precision of three digits was read as a custom format: 5 with F100 rendered as
  // F105, 255 with X100 as X1255.
  it.each<[number, string]>([
    [5, 'F101'],
    [5, 'D101'],
    [255, 'X999'],
    [1.5, 'E101'],
    [1.5, 'G101'],
    [1.5, 'N000101'],
  ])('renders %p with the precision above 100 %p as without a format', (value, format) => {
    expect(formatNumber(value, format)).toBe(String(value));
  });

  // dotnet/runtime src/libraries/System.Runtime/tests/System.Runtime.Tests/System/DoubleTests.cs,
  // ToString_TestData_NotNetFramework.
  it.each<[number, string, string]>([
    [32.5, 'C100', `¤32.5${'0'.repeat(99)}`],
    [32.5, 'P100', `3,250.${'0'.repeat(100)} %`],
    [32.5, 'E100', `3.25${'0'.repeat(98)}E+001`],
    [32.5, 'F100', `32.5${'0'.repeat(99)}`],
    [32.5, 'N100', `32.5${'0'.repeat(99)}`],
    [5, 'D100', `${'0'.repeat(99)}5`],
    [255, 'X0100', `${'0'.repeat(98)}FF`],
  ])('formats %p with the precision of 100 %p as .NET does', (value, format, expected) => {
    expect(formatNumber(value, format)).toBe(expected);
  });

  // X of a negative number outside int32 is the two's complement of the Int64 it is in .NET, not a minus sign and hex.
  it.each<[number, string, string]>([
    [-2147483649, 'X', 'FFFFFFFF7FFFFFFF'],
    [-9007199254740991, 'x', 'ffe0000000000001'],
    [-2147483648, 'X', '80000000'],
    [-1, 'X16', '00000000FFFFFFFF'],
  ])('formats %p with %p as .NET does (%p)', (value, format, expected) => {
    expect(formatNumber(value, format)).toBe(expected);
  });

  // .NET 8's binary format B of an integer (Int32, or Int64 below -2^31, as for X): 255 is 11111111, a negative one its
  // two's complement, the precision pads with zeros; b is the same. A fraction has no B, as it has no X.
  it.each<[number, string, string]>([
    [255, 'B', '11111111'],
    [5, 'b8', '00000101'],
    [0, 'B', '0'],
    [-1, 'B', '1'.repeat(32)],
    [-2147483649, 'B', `${'1'.repeat(32)}0${'1'.repeat(31)}`],
    [2 ** 40, 'B', `1${'0'.repeat(40)}`],
    [1.5, 'B', '1.5'],
  ])('formats %p with the binary format %p as .NET 8 does (%p)', (value, format, expected) => {
    expect(formatNumber(value, format)).toBe(expected);
  });

  // The currency format with the invariant culture: symbol ¤, pattern $n, negative pattern ($n), 2 decimals, the
  // exact value rounded as F rounds it; a negative value that rounds to zero keeps its parentheses, as its sign.
  it.each<[number, string, string]>([
    [12345.6789, 'C', '¤12,345.68'],
    [-12345.6789, 'C', '(¤12,345.68)'],
    [12345.6789, 'C3', '¤12,345.679'],
    [0.125, 'c2', '¤0.12'],
    [1234.5, 'C0', '¤1,234'],
    [-0.001, 'C', '(¤0.00)'],
    [-0, 'C', '(¤0.00)'],
    [0, 'C', '¤0.00'],
  ])('formats %p with the currency format %p as .NET does (%p)', (value, format, expected) => {
    expect(formatNumber(value, format)).toBe(expected);
  });

  // dotnet/runtime Number.Formatting.cs NumberToStringFormat: a custom exponent writes at least as many digits as it
  // has zeros, but never more than 10 (`if (i > 10) i = 10;`).
  it.each<[number | bigint, string, string]>([
    [1, '0E+0000000000', '1E+0000000000'],
    [1, '0E+000000000000', '1E+0000000000'],
    [-5e-300, '0.0e-00000000000000', '-5.0e-0000000300'],
    [12345678901234567890n, '0E+0000000000000', '1E+0000000019'],
  ])('writes the exponent of %p with %p in at most 10 padded digits (%p)', (value, format, expected) => {
    expect(formatNumber(value, format)).toBe(expected);
  });

  // NumberToStringFormat writes the sign of a negative value that does not round to zero (number.Scale != 0) before
  // anything else, whether or not the section writes a digit; a value that rounds to zero is signed when the section
  // writes something (a double; an integer is never -0).
  it.each<[number | bigint, string, string]>([
    [-5, "''", '-'],
    [-5, "'", '-'],
    [-5, '\\', '-'],
    [-5, ',', '-'],
    [-5n, "''", '-'],
    [5, "''", ''],
    [-0.4, "''", ''],
    [-0.4, "'x'", '-x'],
    [-0.4, "#'x'", '-x'],
    [-0.4, '#', ''],
    [-1n, "#,'x'", 'x'],
  ])('signs %p with %p as .NET does (%p)', (value, format, expected) => {
    expect(formatNumber(value, format)).toBe(expected);
  });

  it('renders NaN and infinities the same with any format', () => {
    expect(formatNumber(Number.NaN, '0.00')).toBe('NaN');
    expect(formatNumber(Infinity, 'N2')).toBe('Infinity');
    expect(formatNumber(-Infinity, 'X')).toBe('-Infinity');
  });

  it('formats numbers beyond 1e21 without exponent notation', () => {
    expect(formatNumber(1e21, 'N0')).toBe('1,000,000,000,000,000,000,000');
  });

  it('never throws, and rounds to the nearest hundredth with 0.00', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, min: -1e15, max: 1e15 }), fc.string({ maxLength: 8 }), (value, format) => {
        expect(typeof formatNumber(value, format)).toBe('string');
        const text = formatNumber(value, '0.00');
        expect(text).toMatch(/^-?\d+\.\d\d$/);
        expect(text.startsWith('-')).toBe(value < 0 || Object.is(value, -0));
        expect(Math.abs(Number(text) - value)).toBeLessThanOrEqual(0.005 + Math.abs(value) * 1e-14);
      }),
      { numRuns: 300 },
    );
  });
});

describe('formatNumber with scientific custom formats (fast-check)', () => {
  it('writes the value rounded to as many significant digits as placeholders, with the exponent the integer placeholders fix', () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e300, max: 1e300 }).filter((v) => v !== 0),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 4 }),
        fc.constantFrom('E+00', 'e0', 'E-0'),
        (value, intDigits, fracDigits, exponent) => {
          const format = `${'0'.repeat(intDigits)}${fracDigits > 0 ? '.' : ''}${'0'.repeat(fracDigits)}${exponent}`;
          const text = formatNumber(value, format);
          const match = /^(-?)(\d+)(?:\.(\d+))?[Ee]([+-]?)(\d+)$/.exec(text);
          expect(match).not.toBeNull();
          const [, sign, int, frac = '', expSign, expDigits] = match as unknown as string[];
          expect(sign === '-').toBe(value < 0);
          expect(int).toHaveLength(intDigits);
          expect(frac).toHaveLength(fracDigits);
          expect(int[0]).not.toBe('0');
          if (exponent === 'E+00') expect(expSign).not.toBe('');
          expect(expDigits.length).toBeGreaterThanOrEqual(exponent.length - (exponent[1] === '+' || exponent[1] === '-' ? 2 : 1));
          const read = Number(`${sign}${int}.${frac}e${expSign === '+' ? '' : expSign}${expDigits}`);
          // Rounded to intDigits + fracDigits significant digits from the value's 15 (.NET's custom-format precision).
          expect(Math.abs(read - value)).toBeLessThanOrEqual(Math.abs(value) * (5 * 10 ** -(intDigits + fracDigits) + 1e-14));
        },
      ),
      { numRuns: 500 },
    );
  });
});

// dotnet/runtime src/libraries/System.Runtime/tests/System.Runtime.Tests/System/DoubleTests.cs, with the invariant culture.
describe('dotnet/runtime test/System.Runtime.Tests/System/DoubleTests.cs', () => {
  it.each<[number, string, string]>([
    // ToString_TestData, ToString_TestData_NotNetFramework
    [-4567, 'G', '-4567'],
    [-4567.89101, 'G', '-4567.89101'],
    [0, 'G', '0'],
    [4567, 'G', '4567'],
    [4567.89101, 'G', '4567.89101'],
    [2468, 'N', '2,468.00'],
    [-1.7976931348623157e308, 'G', '-1.7976931348623157E+308'],
    [1.7976931348623157e308, 'G', '1.7976931348623157E+308'],
    [5e-324, 'G', '5E-324'],
    [5e-324, 'g', '5e-324'],
    // ToString_SectionSeparator
    [-0.001, '+0.00;-0.00', '+0.00'],
    [-0, '+0.00;-0.00', '+0.00'],
    [0, '+0.00;-0.00', '+0.00'],
    [0.001, '+0.00;-0.00', '+0.00'],
    [1.5, '+0.00;-0.00', '+1.50'],
    [-1.5, '+0.00;-0.00', '-1.50'],
    [-0.001, '0.00;minus 0.00', '0.00'],
    [-0.001, '0.00', '-0.00'],
    [-0, '0.00', '-0.00'],
    [-0.001, '+0.00;-0.00;zero', 'zero'],
    // ToString_ExactPowerOfTwo_Roundtrips: the shortest round-trip digits need all 17
    [2 ** -25, 'R', '2.9802322387695312E-08'],
    [-(2 ** -25), 'R', '-2.9802322387695312E-08'],
    [2 ** -958, 'R', '4.1045368012983762E-289'],
    [-(2 ** -958), 'G', '-4.1045368012983762E-289'],
  ])('formats %p with %p as %p', (value, format, expected) => {
    expect(formatNumber(value, format)).toBe(expected);
  });

  it('renders NaN and the infinities as the invariant culture names them', () => {
    expect([Number.NaN, Infinity, -Infinity].map((v) => formatNumber(v, 'G'))).toEqual(['NaN', 'Infinity', '-Infinity']);
  });
});

// dotnet/runtime src/libraries/Common/tests/System/RealFormatterTestsBase.cs (TestFormatterDouble_*, C left out):
// since .NET Core 3.0 a standard format writes the exact value correctly rounded, and an exact tie (0.125 with two
// decimals) goes to the even digit (Number.Dragon4.cs: "if we are directly in the middle, round towards the even
// digit"), where JavaScript's toFixed and toExponential round it up.
describe('dotnet/runtime src/libraries/Common/tests/System/RealFormatterTestsBase.cs', () => {
  const MAX =
    '179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368';
  const grouped = (digits: string): string => digits.replace(/\B(?=(\d{3})+$)/g, ',');
  const values = [
    Number.MIN_VALUE,
    Number.MAX_VALUE,
    Math.E,
    Math.PI,
    0,
    0.0046,
    0.125,
    0.84551240822557006,
    1,
    1844674407370955.25,
  ];
  const z20 = '0'.repeat(20);
  it.each<[string, string[]]>([
    [
      'E',
      [
        '4.940656E-324',
        '1.797693E+308',
        '2.718282E+000',
        '3.141593E+000',
        '0.000000E+000',
        '4.600000E-003',
        '1.250000E-001',
        '8.455124E-001',
        '1.000000E+000',
        '1.844674E+015',
      ],
    ],
    [
      'E4',
      [
        '4.9407E-324',
        '1.7977E+308',
        '2.7183E+000',
        '3.1416E+000',
        '0.0000E+000',
        '4.6000E-003',
        '1.2500E-001',
        '8.4551E-001',
        '1.0000E+000',
        '1.8447E+015',
      ],
    ],
    [
      'E20',
      [
        '4.94065645841246544177E-324',
        '1.79769313486231570815E+308',
        '2.71828182845904509080E+000',
        '3.14159265358979311600E+000',
        `0.${z20}E+000`,
        '4.59999999999999992228E-003',
        '1.25000000000000000000E-001',
        '8.45512408225570055720E-001',
        `1.${z20}E+000`,
        '1.84467440737095525000E+015',
      ],
    ],
    ['F', ['0.00', `${MAX}.00`, '2.72', '3.14', '0.00', '0.00', '0.12', '0.85', '1.00', '1844674407370955.25']],
    [
      'F4',
      ['0.0000', `${MAX}.0000`, '2.7183', '3.1416', '0.0000', '0.0046', '0.1250', '0.8455', '1.0000', '1844674407370955.2500'],
    ],
    [
      'F20',
      [
        `0.${z20}`,
        `${MAX}.${z20}`,
        '2.71828182845904509080',
        '3.14159265358979311600',
        `0.${z20}`,
        '0.00459999999999999992',
        '0.12500000000000000000',
        '0.84551240822557005572',
        `1.${z20}`,
        '1844674407370955.25000000000000000000',
      ],
    ],
    [
      'G',
      [
        '5E-324',
        '1.7976931348623157E+308',
        '2.718281828459045',
        '3.141592653589793',
        '0',
        '0.0046',
        '0.125',
        '0.8455124082255701',
        '1',
        '1844674407370955.2',
      ],
    ],
    ['G4', ['4.941E-324', '1.798E+308', '2.718', '3.142', '0', '0.0046', '0.125', '0.8455', '1', '1.845E+15']],
    [
      'G20',
      [
        '4.9406564584124654418E-324',
        '1.7976931348623157081E+308',
        '2.7182818284590450908',
        '3.141592653589793116',
        '0',
        '0.0045999999999999999223',
        '0.125',
        '0.84551240822557005572',
        '1',
        '1844674407370955.25',
      ],
    ],
    ['N', ['0.00', `${grouped(MAX)}.00`, '2.72', '3.14', '0.00', '0.00', '0.12', '0.85', '1.00', '1,844,674,407,370,955.25']],
    [
      'N4',
      [
        '0.0000',
        `${grouped(MAX)}.0000`,
        '2.7183',
        '3.1416',
        '0.0000',
        '0.0046',
        '0.1250',
        '0.8455',
        '1.0000',
        '1,844,674,407,370,955.2500',
      ],
    ],
    [
      'N20',
      [
        `0.${z20}`,
        `${grouped(MAX)}.${z20}`,
        '2.71828182845904509080',
        '3.14159265358979311600',
        `0.${z20}`,
        '0.00459999999999999992',
        '0.12500000000000000000',
        '0.84551240822557005572',
        `1.${z20}`,
        '1,844,674,407,370,955.25000000000000000000',
      ],
    ],
    [
      'P',
      [
        '0.00 %',
        `${grouped(`${MAX}00`)}.00 %`,
        '271.83 %',
        '314.16 %',
        '0.00 %',
        '0.46 %',
        '12.50 %',
        '84.55 %',
        '100.00 %',
        '184,467,440,737,095,525.00 %',
      ],
    ],
    [
      'P4',
      [
        '0.0000 %',
        `${grouped(`${MAX}00`)}.0000 %`,
        '271.8282 %',
        '314.1593 %',
        '0.0000 %',
        '0.4600 %',
        '12.5000 %',
        '84.5512 %',
        '100.0000 %',
        '184,467,440,737,095,525.0000 %',
      ],
    ],
    [
      'P20',
      [
        `0.${z20} %`,
        `${grouped(`${MAX}00`)}.${z20} %`,
        '271.82818284590450907956 %',
        '314.15926535897931159980 %',
        `0.${z20} %`,
        '0.45999999999999999223 %',
        '12.50000000000000000000 %',
        '84.55124082255700557198 %',
        `100.${z20} %`,
        '184,467,440,737,095,525.00000000000000000000 %',
      ],
    ],
    [
      'R',
      [
        '5E-324',
        '1.7976931348623157E+308',
        '2.718281828459045',
        '3.141592653589793',
        '0',
        '0.0046',
        '0.125',
        '0.8455124082255701',
        '1',
        '1844674407370955.2',
      ],
    ],
    [
      'R20',
      [
        '5E-324',
        '1.7976931348623157E+308',
        '2.718281828459045',
        '3.141592653589793',
        '0',
        '0.0046',
        '0.125',
        '0.8455124082255701',
        '1',
        '1844674407370955.2',
      ],
    ],
  ])('formats the test values with %p as .NET does', (format, expected) => {
    expect(values.map((value) => formatNumber(value, format))).toEqual(expected);
  });

  // Exact ties (the value is odd / 2^(decimals + 1)) in every standard format that rounds: to the even digit. A carry
  // (9.5 → 1E+001) is the even choice over 9. Custom formats take their 15 digits the same way (1000000000000005 has
  // 16), then round those half up (2.5 with '0' is 3, see above).
  it.each<[number, string, string]>([
    [0.5, 'F0', '0'],
    [1.5, 'F0', '2'],
    [2.5, 'F0', '2'],
    [3.5, 'F0', '4'],
    [-2.5, 'F0', '-2'],
    [9.5, 'F0', '10'],
    [0.25, 'F1', '0.2'],
    [0.75, 'F1', '0.8'],
    [0.375, 'F2', '0.38'],
    [-0.125, 'N2', '-0.12'],
    [12.5, 'N0', '12'],
    [1234.5, 'N0', '1,234'],
    [0.125, 'P0', '12 %'],
    [0.03125, 'P2', '3.12 %'],
    [2.5, 'G1', '2'],
    [0.125, 'G2', '0.12'],
    [12500, 'G2', '1.2E+04'],
    [0.125, 'E1', '1.2E-001'],
    [12500, 'e1', '1.2e+004'],
    [9.5, 'E0', '1E+001'],
    [8.5, 'E0', '8E+000'],
    [2 ** -10, 'E5', '9.76562E-004'],
    [1000000000000005, '0', '1000000000000000'],
    [1000000000000015, '#,##0', '1,000,000,000,000,020'],
    [100000000000000.5, '0.0', '100000000000000.0'],
  ])('rounds the exact tie %p with %p to the even digit (%p)', (value, format, expected) => {
    expect(formatNumber(value, format)).toBe(expected);
  });
});

// .NET's Number.Formatting.cs copies a quoted run as it is (`while (*src != 0 && *src != ch) …`):
// unlike a custom date format, a \ inside quotes is no escape there.
describe('formatNumber quoted literals', () => {
  it('keeps a \\ inside quotes as it is', () => {
    expect(formatNumber(7, "0 'a\\b'")).toBe('7 a\\b');
  });
});

// .NET's NumberToStringFormat (dotnet/runtime Number.Formatting.cs) with literals among the placeholders: each group
// separator is written right after the digit that ends its group, every `,` between the last integer placeholder and the
// point scales (literals between them or not: `thousandPos == decimalPos`). Expected values from .NET's custom format
// code run on these inputs.
describe('formatNumber with literals among the placeholders', () => {
  it.each<[number | bigint, string, string]>([
    [12345, '0 #,##0', '1 2,345'],
    [12, '0 #,##00', '0 00,012'],
    [12345n, '0 #,##0', '1 2,345'],
    [1234567, '#,##0 - 000', '1,234, - 567'],
    [1234567, '(#,##0)-0', '(1,234,56)-7'],
  ])('writes a group separator with the digit before it: %p with %p is %p', (value, format, expected) => {
    expect(formatNumber(value, format)).toBe(expected);
  });

  it.each<[number | bigint, string, string]>([
    [1234567, '#,##0 K,', '1,235 K'],
    [1234567n, '#,##0 K,', '1,235 K'],
    [1234567890, '#,##0 "M",,', '1,235 M'],
    [1234, '0 %,', '123 %'],
    [-1234567, '0 x,;(0 x,)', '(1235 x)'],
    [12345, '00E+0,', '12E+0'],
  ])(
    'scales by each comma after the last integer placeholder, past a literal too: %p with %p is %p',
    (value, format, expected) => {
      expect(formatNumber(value, format)).toBe(expected);
    },
  );
});

// .NET's BigInteger.ToString(format, InvariantCulture), as Serilog renders a BigInteger through IFormattable: the
// digits are exact (never rounded through a double), `G`, `R` and `D` write every digit, zero-padded to the precision
// (dotnet/runtime Number.BigInteger.cs turns `G5` into `D5`), `X` and `B` write the shortest two's complement whose
// first digit carries the sign (so 128 is `080`, learn.microsoft.com's BigInteger.ToString page), and a digit dropped
// by rounding rounds half away from zero, as .NET rounds an integer's digits (RoundNumber); an integer has no -0.
describe('formatNumber with a bigint', () => {
  it.each<[bigint, string, string]>([
    // learn.microsoft.com BigInteger.ToString(String): BigInteger.Add(UInt64.MaxValue, 1024), invariant culture.
    [18446744073709552639n, 'G', '18446744073709552639'],
    [18446744073709552639n, 'C', '¤18,446,744,073,709,552,639.00'],
    [18446744073709552639n, 'D', '18446744073709552639'],
    [18446744073709552639n, 'F', '18446744073709552639.00'],
    [18446744073709552639n, 'N', '18,446,744,073,709,552,639.00'],
    [18446744073709552639n, 'X', '100000000000003FF'],
    [128n, 'X', '080'],
    [-128n, 'X', '80'],
    // Standard numeric format strings (learn.microsoft.com), with a BigInteger's exact digits.
    [12345n, 'D8', '00012345'],
    [-12345n, 'D8', '-00012345'],
    [12345n, 'G7', '0012345'],
    [12345n, 'g', '12345'],
    [-12345n, 'R9', '-000012345'],
    [12345678901234567890123n, 'G0', '12345678901234567890123'],
    [12345678901234567890123n, 'N0', '12,345,678,901,234,567,890,123'],
    [-12345678901234567890123n, 'n3', '-12,345,678,901,234,567,890,123.000'],
    [2n ** 70n, 'F', '1180591620717411303424.00'],
    [2n ** 70n, 'F0', '1180591620717411303424'],
    [-(2n ** 70n), 'f1', '-1180591620717411303424.0'],
    [12345678901234567890n, 'E', '1.234568E+019'],
    [12345678901234567890n, 'e4', '1.2346e+019'],
    [-12345678901234567890n, 'E0', '-1E+019'],
    [125n, 'E1', '1.3E+002'],
    [-125n, 'E1', '-1.3E+002'],
    [0n, 'E', '0.000000E+000'],
    [10n ** 400n, 'E2', '1.00E+400'],
    [1n, 'P', '100.00 %'],
    [-1n, 'P0', '-100 %'],
    [123456789012345678901n, 'p1', '12,345,678,901,234,567,890,100.0 %'],
    [1234n, 'C', '¤1,234.00'],
    [-1234n, 'C0', '(¤1,234)'],
    [0n, 'c', '¤0.00'],
    [255n, 'X', '0FF'],
    [255n, 'x4', '00ff'],
    [10n, 'X', '0A'],
    [7n, 'X', '7'],
    [0n, 'X', '0'],
    [-1n, 'X', 'F'],
    [-1n, 'x4', 'ffff'],
    [-8n, 'X', '8'],
    [-9n, 'X', 'F7'],
    [-255n, 'X', 'F01'],
    [-(2n ** 64n), 'X', 'F0000000000000000'],
    [2n ** 64n - 1n, 'x', '0ffffffffffffffff'],
    [5n, 'B', '0101'],
    [5n, 'b8', '00000101'],
    [0n, 'B', '0'],
    [-1n, 'B', '1'],
    [-2n, 'B4', '1110'],
    [-128n, 'B', '10000000'],
  ])('formats %p with the standard format %p as %p', (value, format, expected) => {
    expect(formatNumber(value, format)).toBe(expected);
  });

  it.each<[bigint, string, string]>([
    [1234567890123456789012345n, '#,##0', '1,234,567,890,123,456,789,012,345'],
    [1234567890123456789012345n, '0.00', '1234567890123456789012345.00'],
    [-1234567890123456789012345n, '0', '-1234567890123456789012345'],
    [12345678901234567890n, '0.00E+00', '1.23E+19'],
    [12345678901234567890n, '##0.0E+0', '123.5E+17'],
    [1500n, '0,', '2'],
    [2500n, '0,', '3'],
    [-2500n, '0,', '-3'],
    [1234567890123456789012345n, '#,##0,,', '1,234,567,890,123,456,789'],
    [5n, '0%', '500%'],
    [-5n, '0;(0)', '(5)'],
    [0n, '0;(0);zero', 'zero'],
    [7n, "0' items'", '7 items'],
    [5n, 'kg', 'kg'],
    [-5n, 'kg', '-kg'],
  ])('formats %p with the custom format %p as %p', (value, format, expected) => {
    expect(formatNumber(value, format)).toBe(expected);
  });

  // An integer has no negative zero: RoundNumber clears the sign of one that rounds to zero, where a double keeps it.
  it.each<[bigint, string, string]>([
    [-1n, '0,', '0'],
    [-499n, '0,', '0'],
    [-500n, '0,', '-1'],
    [-1n, '0,;(0,);zero', 'zero'],
    [-1n, '0,;(0,)', '0'],
    [-(10n ** 30n), '0,,,,,,,,,,,', '0'],
  ])('writes %p rounded to zero by %p without a sign (%p)', (value, format, expected) => {
    expect(formatNumber(value, format)).toBe(expected);
  });

  it.each<[bigint, string]>([
    [12345678901234567890n, 'lj'],
    [12345678901234567890n, 'l'],
    [12345678901234567890n, 'Q2'],
    [12345678901234567890n, 'D101'],
    [-12345678901234567890n, 'X999999999'],
    [12345678901234567890n, `${'0'.repeat(1001)}`],
  ])('renders %p as its digits with %p, as without a format', (value, format) => {
    expect(formatNumber(value, format)).toBe(String(value));
  });

  it('formats a bigint of 100 000 digits in time linear in its length', () => {
    const value = -(10n ** 100_000n) + 1n;
    const digits = '9'.repeat(100_000);
    expect(formatNumber(value, 'D')).toBe(`-${digits}`);
    expect(formatNumber(value, 'N0')).toBe(`-9${',999'.repeat(33_333)}`);
    expect(formatNumber(value, 'E3')).toBe('-1.000E+100000');
    expect(formatNumber(value, '0,,,')).toBe(`-1${'0'.repeat(99_991)}`);
  });

  it('renders every bigint with every format as fast-check draws them, never throwing', () => {
    fc.assert(
      fc.property(fc.bigInt(), fc.string({ maxLength: 12 }), (value, format) => {
        expect(typeof formatNumber(value, format)).toBe('string');
      }),
    );
  });

  it('writes a bigint of up to 15 digits as the same number with N, F, P and custom formats', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 15n) + 1n, max: 10n ** 15n - 1n }),
        fc.constantFrom('N', 'N0', 'F3', 'P1', '0.00', '#,##0', '0;(0);zero'),
        (value, format) => {
          expect(formatNumber(value, format)).toBe(formatNumber(Number(value), format));
        },
      ),
    );
  });
});
