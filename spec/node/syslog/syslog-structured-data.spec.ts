import fc from 'fast-check';
import {
  syslogParamName,
  syslogParamValue,
  syslogStructuredData,
  syslogStructuredDataParams,
} from '../../../lib/node/syslog/syslog-structured-data';

/** RFC 5424's SD-ELEMENT grammar: SD-ID, then SD-PARAMs with escaped values. */
const SD_ELEMENT = /^\[[!#-<>-\\^-~]{1,32}(?: [!#-<>-\\^-~]{1,32}="(?:[^"\\\]]|\\["\\\]])*")*\]$/u;

describe('syslogStructuredData', () => {
  it('writes properties as one SD-ELEMENT: strings bare, other values rendered', () => {
    expect(syslogStructuredData({ UserId: 42, Name: 'Ada', Ok: true, Missing: null, Tags: ['a', 'b'], Skip: undefined })).toBe(
      '[rxlog@32473 UserId="42" Name="Ada" Ok="true" Missing="null" Tags="[\\"a\\",\\"b\\"\\]"]',
    );
  });

  it('escapes ", \\ and ] in values', () => {
    expect(syslogStructuredData({ P: 'a"b\\c]d' })).toBe('[rxlog@32473 P="a\\"b\\\\c\\]d"]');
  });

  it('leaves out, unescaped, a value rendered longer than maxValueLength: no message of that many bytes holds it', () => {
    expect(syslogStructuredDataParams({ A: 'x'.repeat(11), B: '"]"]"', C: { k: 'v' }, D: 'y'.repeat(10) }, 10)).toEqual([
      ' B="\\"\\]\\"\\]\\""',
      ' C="{\\"k\\":\\"v\\"}"',
      ` D="${'y'.repeat(10)}"`,
    ]);
  });

  it('uses the given SD-ID', () => {
    expect(syslogStructuredData({ A: 1 }, 'shop@12345')).toBe('[shop@12345 A="1"]');
  });

  it('is the NILVALUE without properties', () => {
    expect(syslogStructuredData({})).toBe('-');
    expect(syslogStructuredData({ Gone: undefined })).toBe('-');
  });

  it('always writes a well-formed SD-ELEMENT or the NILVALUE', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue()), (properties) => {
        const sd = syslogStructuredData(properties);
        if (sd !== '-') expect(sd).toMatch(SD_ELEMENT);
      }),
      { numRuns: 300 },
    );
  });
});

describe('syslogStructuredDataParams', () => {
  // Found by a review: 'Größe' and 'Grüße' were both sent as Gr__e, and rsyslog's mmpstrucdata
  // keeps only the last value of a repeated PARAM-NAME: one property vanished at the receiver.
  it('gives each property its own PARAM-NAME when sanitising or cutting makes two alike: _2, _3 … within 32 characters', () => {
    const long = 'n'.repeat(32);
    expect(
      syslogStructuredDataParams({ Größe: 1, Grüße: 2, Gr__e: 3, [`${long}a`]: 4, [`${long}b`]: 5, 'a b': 6, a_b_2: 7 }),
    ).toEqual([
      ' Gr__e_2="1"',
      ' Gr__e_3="2"',
      ' Gr__e="3"',
      ` ${long}="4"`,
      ` ${'n'.repeat(30)}_2="5"`,
      ' a_b="6"',
      ' a_b_2="7"',
    ]);
  });

  it('gives names that differ only in case their own PARAM-NAME too: rsyslog keeps one value of them', () => {
    // rsyslog's JSON keys ignore case: mmpstrucdata kept { UserId: "3" } of these three, with
    // sd_name.lowercase on or off (syslog-rsyslog.spec.ts).
    expect(syslogStructuredDataParams({ UserId: 1, userId: 2, USERID: 3, userId_2: 4 })).toEqual([
      ' UserId="1"',
      ' userId_3="2"',
      ' USERID_4="3"',
      ' userId_2="4"',
    ]);
    expect(syslogStructuredDataParams({ 'a b': 1, A_B: 2 })).toEqual([' a_b_2="1"', ' A_B="2"']);
    // Many properties: the names given are kept in a set rather than scanned.
    const many: Record<string, number> = {};
    for (let i = 0; i < 20; i++) many[`P${i}`] = i;
    expect(syslogStructuredDataParams({ ...many, UserId: 1, userId: 2, p3: 3 }).slice(20)).toEqual([
      ' UserId="1"',
      ' userId_2="2"',
      ' p3_2="3"',
    ]);
  });

  it('never repeats a PARAM-NAME in any case, among few properties or many', () => {
    // Names of a few letters, cases and characters sanitising turns into _, so they collide often.
    const name = fc.string({ unit: fc.constantFrom('a', 'A', 'b', 'B', ' ', '_', '2', 'é'), maxLength: 4 });
    fc.assert(
      fc.property(fc.dictionary(name, fc.integer(), { maxKeys: 40 }), (properties) => {
        const names = syslogStructuredDataParams(properties).map((p) => p.slice(1, p.indexOf('="')));
        expect(names).toHaveLength(Object.keys(properties).length);
        expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length);
        // A name that needs no change keeps it when no earlier property has it in another case.
        const seen = new Set<string>();
        for (const [i, key] of Object.keys(properties).entries()) {
          if (
            /^[!#-<>-\\^-~]+$/.test(key) &&
            !seen.has(key.toLowerCase()) &&
            !names.slice(0, i).some((n) => n.toLowerCase() === key.toLowerCase())
          )
            expect(names[i]).toBe(key);
          seen.add(key.toLowerCase());
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never repeats a PARAM-NAME, nor one that differs only in case', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'binary', maxLength: 40 }), fc.integer()), (properties) => {
        const names = syslogStructuredDataParams(properties).map((p) => p.slice(1, p.indexOf('="')));
        expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length);
        expect(names.every((n) => n.length <= 32)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('syslogParamName', () => {
  it('replaces space, =, ] and " and non-ASCII with _ and keeps 32 characters', () => {
    expect(syslogParamName('a b=c]d"é')).toBe('a_b_c_d__');
    expect(syslogParamName('x'.repeat(40))).toBe('x'.repeat(32));
  });

  it('names an empty property _', () => {
    expect(syslogParamName('')).toBe('_');
  });
});

describe('syslogParamValue', () => {
  it('round-trips: unescaping gives the value back', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (value) => {
        expect(syslogParamValue(value).replace(/\\(["\\\]])/g, '$1')).toBe(value);
      }),
      { numRuns: 300 },
    );
  });
});
