import type { TemplateToken } from '../../lib/core/message-template';
import { captureProperties } from '../../lib/templates/capture';
import { parseTemplate } from '../../lib/templates/parse-template';
import { SERILOG_PARSER_VECTORS } from '../helpers/serilog-parser-vectors';
import { importFrom, typeDiagnostics } from '../helpers/type-diagnostics';

// The compile-time check of a literal template (docs/typed-templates.md) against what the logger does with the same
// template at run time, for Serilog's parser vectors and the templates a reviewer writes by hand: a call compiles
// exactly when its values fill every hole and leave none over.

// One program of a few hundred calls: seconds on an idle machine, more on a loaded one. A disagreement fails, never the time.
jest.setTimeout(180_000);

const holesOf = (tokens: readonly TemplateToken[]): string[] =>
  tokens.flatMap((token) => (token.kind === 'property' ? [token.name] : []));

/** The properties the logger binds for `template` with `count` values (0, 1, 2 …). */
function bound(template: string, count: number): Record<string, unknown> {
  return captureProperties(
    parseTemplate(template),
    Array.from({ length: count }, (_, i) => i),
  );
}

/**
 * The values the logger wants for `template`, found at run time: the fewest with which every hole has a property.
 * Checked: one more binds no hole of its own (it is kept as `__i`, or a repeated name keeps it in place of an earlier
 * value), so more values than that lose one.
 */
function valuesWanted(template: string): number {
  const holes = holesOf(parseTemplate(template).tokens);
  const fills = (count: number): boolean => {
    const properties = bound(template, count);
    return holes.every((name) => Object.hasOwn(properties, name));
  };
  // The values (0, 1, 2 … as given) that no hole's property holds.
  const unbound = (count: number): number => {
    const properties = bound(template, count);
    const held = new Set(holes.filter((name) => Object.hasOwn(properties, name)).map((name) => properties[name]));
    return Array.from({ length: count }, (_, i) => i).filter((i) => !held.has(i)).length;
  };
  // A positional index is below 100 here, so 100 values past the holes are enough.
  let wanted = 0;
  while (!fills(wanted) && wanted <= holes.length + 100) wanted++;
  expect({ template, fills: fills(wanted), moreLoseOne: unbound(wanted + 1) > unbound(wanted) }).toEqual({
    template,
    fills: true,
    moreLoseOne: true,
  });
  return wanted;
}

/**
 * Templates the types leave unchecked on purpose (docs/typed-templates.md): a name with a character whose Unicode
 * category types cannot see (a lone surrogate, a letter outside the BMP). Any count compiles for them. Surrogates in
 * the text around holes leave a template checked.
 */
const unchecked = (template: string): boolean => /\{[^{}]*[\ud800-\udfff]/.test(template);

const holes = (count: number, hole: (i: number) => string): string => Array.from({ length: count }, (_, i) => hole(i)).join(' ');

/** Templates beyond Serilog's vectors: each syntax the parser tells apart, with what it means at run time. */
const HAND_WRITTEN: readonly (readonly [what: string, template: string])[] = [
  ['escaped braces around and between holes', '{{A}} {B} }}{{ {{{C}}}'],
  ['alignment, left and right, and zero', '{A,-10} {B,10} {C,0} {D,-0}'],
  ['alignment and format', '{A,-10:000} {B,5:0.00}'],
  ['formats holding ":", "," and "{"', '{T:HH:mm:ss} {N:#,##0} {V:x{y}'],
  [':j, :l and :lj on strings', '{S:j} {S2:l} {S3:lj}'],
  ['capture hints', '{@A} {$B}'],
  ['a property used twice', '{A} {A}'],
  ['a property used twice around another', '{A} {B} {A}'],
  ['a property used twice before another', '{A} {A} {B}'],
  ['positional holes out of order', '{1}, {0}'],
  ['a positional hole alone', '{1}'],
  ['a positional hole used twice', '{0} {0}'],
  ['positional and named holes', '{1}, {Place}'],
  ['a positional hole with leading zeros', '{00} {1}'],
  ['a template of only "{"', '{'],
  ['a template of only "}"', '}'],
  ['a template of only "{{"', '{{'],
  ['a "{" inside a hole', '{A{B}'],
  ['a "{" inside a format', '{A:{B}}'],
  ['an unclosed hole', '{x'],
  ['a name with a space', '{a b}'],
  ['a name starting with a digit', '{1a}'],
  ['a hint without a name', '{@}'],
  ['an empty hole', '{}'],
  ['an alignment past int32', '{A,2147483648} {B,-2147483648}'],
  ['an alignment at int32', '{A,2147483647} {B,-2147483647}'],
  ['a lone high surrogate as a name', '{\ud800}'],
  ['a lone low surrogate in a name, then a hole', '{a\udc00b} {C}'],
  ['lone surrogates around a hole', '\ud800{A}\udc00'],
  ['a letter outside the BMP', '{\u{1d4b3}}'],
  ['40 named holes with alignments and formats', holes(40, (i) => `{Hole${i},-4:0.0}`)],
  ['35 positional holes, highest first', holes(35, (i) => `{${34 - i}}`)],
  ['120 holes of 90 names, escapes and malformed holes between them', holes(120, (i) => `{{x}} {@N${i % 90},${i}} {${i}a}`)],
];

/**
 * The templates of Serilog's rendering tests (serilog/serilog at 60935b4: test/Serilog.Tests/Core/MessageTemplateTests.cs
 * and Rendering/MessageTemplateRendererTests.cs), each named by its test; spec/templates/render-template.spec.ts checks
 * what they render.
 */
const SERILOG_RENDER_TEMPLATES: readonly (readonly [test: string, template: string])[] = [
  ['AnObjectIsRenderedInSimpleNotation', 'I sat at {@Chair}'],
  ['AnObjectIsRenderedInSimpleNotationUsingFormatProvider', 'I received {@Receipt}'],
  ['AnObjectWithDefaultDestructuringIsRenderedAsAStringLiteral', 'I sat at {Chair}'],
  ['AnObjectWithStringifyDestructuringIsRenderedAsAString', 'I sat at {$Chair}'],
  ['MultiplePropertiesAreRenderedInOrder', 'Just biting {Fruit} number {Count}'],
  ['MultiplePropertiesUseFormatProvider', 'Income was {Income} at {Date:d}'],
  ['FormatStringsArePropagated', 'Welcome, customer {CustomerId:0000}'],
  ...[
    'Welcome, customer #{CustomerId,-10}, pleasure to see you',
    'Welcome, customer #{CustomerId,-10:000000}, pleasure to see you',
    'Welcome, customer #{CustomerId,10}, pleasure to see you',
    'Welcome, customer #{CustomerId,10:000000}, pleasure to see you',
    'Welcome, customer #{CustomerId,10:0,0}, pleasure to see you',
    'Welcome, customer #{CustomerId:0,0}, pleasure to see you',
  ].map((template) => ['AlignmentStringsArePropagated', template] as const),
  ['FormatProviderIsUsed', 'Please pay {Sum}'],
  ['ATemplateWithOnlyPositionalPropertiesIsAnalyzedAndRenderedPositionally', '{1}, {0}'],
  ['ATemplateWithNamesAndPositionalsUsesNamesForAllValues', '{1}, {Place}'],
  ['AnonymousTypeShouldBeRendered', 'Anonymous type {value}'],
  ['DictionaryOfAnonymousTypeAsKeyShouldBeRendered', 'Dictionary with anonymous type key {dictionary}'],
  ['PropertyTokenFormatsAreApplied', '{Number}'],
  ['PropertyTokenFormatsAreApplied', '{Number:X8}'],
];

const CASES: readonly (readonly [label: string, template: string])[] = [
  ...SERILOG_PARSER_VECTORS.map((vector) => [`Serilog ${vector.test}`, vector.template] as const),
  ...SERILOG_RENDER_TEMPLATES.map(([test, template]) => [`Serilog ${test}`, template] as const),
  ...HAND_WRITTEN,
];

describe('a literal template checked by the compiler, against what the logger binds', () => {
  let failing: Set<number>;
  let diagnostics: string[];
  const calls: { line: number; label: string; template: string; values: number; fits: boolean }[] = [];

  beforeAll(() => {
    const lines: string[] = [];
    const header = 2; // the import line and the logger's line come first (typeDiagnostics counts from 0)
    for (const [label, template] of CASES) {
      const wanted = valuesWanted(template);
      for (const values of wanted === 0 ? [0, 1] : [wanted, wanted - 1, wanted + 1]) {
        calls.push({ line: header + lines.length, label, template, values, fits: values === wanted });
        lines.push(`log.information(${JSON.stringify(template)}${Array.from({ length: values }, (_, i) => `, ${i}`).join('')});`);
      }
    }
    diagnostics = typeDiagnostics(
      [importFrom('{ LoggerConfiguration }', 'configuration/logger-configuration')],
      `const log = new LoggerConfiguration().createLogger();\n${lines.join('\n')}`,
    );
    failing = new Set(diagnostics.map((d) => Number(d.slice(0, d.indexOf(':')))));
  });

  it('reports template mismatches only, never "excessively deep" (TS2589) or another error', () => {
    expect(diagnostics.filter((d) => !/TemplateMismatch/.test(d))).toEqual([]);
  });

  it.each(CASES)('%s: %j compiles with the values the logger wants, and fails with one fewer or one more', (label) => {
    const mine = calls.filter((call) => call.label === label);
    expect(mine.length).toBeGreaterThan(0);
    for (const call of mine) {
      const compiles = !failing.has(call.line);
      const expected = call.fits || unchecked(call.template);
      expect({ values: call.values, compiles }).toEqual({ values: call.values, compiles: expected });
    }
  });

  it('counts 30 holes and more exactly, repeated names at the end taking no values', () => {
    const long = calls.filter((call) => call.values >= 30);
    expect(long.filter((call) => call.fits).map((call) => call.values)).toEqual([40, 35, 90]);
  });
});

describe('a template the compiler does not know', () => {
  it('compiles with any number of values when it is held in a string variable', () => {
    const diagnostics = typeDiagnostics(
      [importFrom('{ LoggerConfiguration }', 'configuration/logger-configuration')],
      [
        'const log = new LoggerConfiguration().createLogger();',
        'declare const fromConfiguration: string;',
        "const widened: string = 'Hello {Name}';",
        'log.information(fromConfiguration);',
        'log.information(fromConfiguration, 1, 2, 3);',
        'log.information(widened);',
        "log.information(widened, 'Ann', 'an extra value');",
        "log.warning('{A} {B}' as string, 1);",
        "log.error(new Error('x'), widened, 1, 2);",
      ].join('\n'),
    );
    expect(diagnostics).toEqual([]);
  });
});
