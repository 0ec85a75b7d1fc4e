import fc from 'fast-check';
import { parseTemplate } from '../../lib/templates/parse-template';
import { importFrom, typeDiagnostics } from '../helpers/type-diagnostics';

// One program of a few hundred calls, compiled once: seconds on an idle machine, more on a loaded one. What fails the
// test is a disagreement, never the time.
jest.setTimeout(180_000);

/**
 * The values a call must pass so that every hole of `template` gets one and none is extra, as the logger binds them
 * (captureProperties): when every hole is positional, the highest index plus one; otherwise one per hole up to the
 * last hole whose name is new. `unchecked` when the types may leave the template unchecked on purpose
 * (docs/typed-templates.md): an index above 99, or a hole name with a character types cannot classify (the emoji):
 * then any count may compile. So may a template of 65 536 characters or more, of more than 900 holes, `{{` and
 * malformed holes (each has a `{`), or with a hole of 512 characters or more before its format (here, loosely, any
 * `{` with 512 characters before the next `}`).
 */
function valuesWanted(template: string): { wanted: number; unchecked: boolean } {
  const holes = parseTemplate(template).tokens.flatMap((token) => (token.kind === 'property' ? [token] : []));
  const tooLong = template.length >= 65_536 || template.split('{').length - 1 > 900 || /\{[^}]{512}/.test(template);
  if (holes.length === 0) return { wanted: 0, unchecked: tooLong || template.includes('😀') };
  if (holes.every((hole) => hole.position !== undefined)) {
    const highest = Math.max(...holes.map((hole) => hole.position ?? 0));
    return { wanted: highest + 1, unchecked: tooLong || highest > 99 || template.includes('😀') };
  }
  let wanted = 0;
  const seen = new Set<string>();
  holes.forEach((hole, i) => {
    if (!seen.has(hole.name)) wanted = i + 1;
    seen.add(hole.name);
  });
  return { wanted, unchecked: tooLong || template.includes('😀') };
}

const piece = (...parts: string[]): fc.Arbitrary<string> => fc.constantFrom(...parts);

/** A hole, well formed or not: a capture marker, a name, an alignment and a format, each of the kinds the parser tells apart. */
const hole = fc
  .tuple(
    piece('', '', '@', '$', '@@', '$@'),
    piece(
      'A',
      'User',
      '_x',
      'a1',
      'http.method',
      'a._b',
      'Größe',
      '0',
      '1',
      '01',
      '007',
      '12',
      '1abc',
      'a.',
      '.a',
      'a..b',
      'a.1',
      '',
      'a b',
      'a-b',
      'x€',
      '😀',
      '__1',
      'A',
    ),
    fc.option(piece('5', '-10', '0', '-0', '', '-', '+5', ' 5', '007', '2147483647', '2147483648', '5,6', 'x'), {
      nil: undefined,
    }),
    fc.option(fc.string({ unit: piece('x', '0', ',', ':', '{', ' ', '$', '.', '{{'), maxLength: 4 }), { nil: undefined }),
    piece('}', '}', '}', '', '}}'),
  )
  .map(
    ([sigil, name, alignment, format, close]) =>
      `{${sigil}${name}${alignment === undefined ? '' : `,${alignment}`}${format === undefined ? '' : `:${format}`}${close}`,
  );

/** Text between holes: words, escaped and lone braces, and the characters of hole syntax. */
const text = fc.string({
  unit: piece('a', ' ', '{', '}', '{{', '}}', '@', ':', ',', '0', '.', '\\', "'", '"', '`'),
  maxLength: 4,
});

const template = fc.array(fc.oneof(hole, text), { minLength: 1, maxLength: 6 }).map((parts) => parts.join(''));

/**
 * A long template: up to 150 of the parts above and distinct names, with runs of escaped braces, long text and long names, held under
 * the limits past which the types leave a template unchecked (see valuesWanted), and without the emoji, which leaves
 * one unchecked.
 */
const longTemplate = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: hole },
      { weight: 4, arbitrary: text },
      { weight: 4, arbitrary: fc.nat({ max: 999 }).map((i) => `{Name${i}} `) },
      { weight: 1, arbitrary: piece('{{'.repeat(20), '}}'.repeat(20), `${'{{'.repeat(5)}{A}${'}}'.repeat(5)}`) },
      { weight: 1, arbitrary: piece('x'.repeat(10_000), ' '.repeat(1000), 'y'.repeat(500), 'z'.repeat(500)) },
      { weight: 1, arbitrary: piece(`{${'n'.repeat(300)}}`, `{@${'a.'.repeat(100)}b,-10:000}`, `{$${'7'.repeat(200)}}`) },
    ),
    { minLength: 60, maxLength: 150 },
  )
  .map((parts) => parts.join(''))
  .filter((t) => !t.includes('😀'));

/** The calls of `templates`: three a template, the values it wants, one fewer (when it wants any) and one more. */
function checkCalls(templates: readonly string[]): string[] {
  const lines: string[] = [];
  const expected: { line: number; template: string; values: number; fits: boolean; unchecked: boolean }[] = [];
  const header = 2; // the import line and the logger's line come first (typeDiagnostics counts from 0)
  for (const t of templates) {
    const { wanted, unchecked } = valuesWanted(t);
    for (const values of wanted === 0 ? [0, 1] : [wanted, wanted - 1, wanted + 1]) {
      expected.push({ line: header + lines.length, template: t, values, fits: values === wanted, unchecked });
      lines.push(`log.information(${JSON.stringify(t)}${Array.from({ length: values }, (_, i) => `, ${i}`).join('')});`);
    }
  }
  const found = typeDiagnostics(
    [importFrom('{ LoggerConfiguration }', 'configuration/logger-configuration')],
    `const log = new LoggerConfiguration().createLogger();\n${lines.join('\n')}`,
  );
  // Every diagnostic is a template mismatch on a call line, never "excessively deep" or a syntax error.
  expect(found.filter((d) => !/TemplateMismatch/.test(d))).toEqual([]);
  const failing = new Set(found.map((d) => Number(d.slice(0, d.indexOf(':')))));
  return expected
    .filter((call) => failing.has(call.line) === call.fits && !(call.unchecked && !failing.has(call.line)))
    .map(
      (call) =>
        `${JSON.stringify(call.template.length > 200 ? `${call.template.slice(0, 200)}…` : call.template)} with ${call.values}: ${call.fits ? 'runs as meant, fails to compile' : 'compiles, binds wrongly'}`,
    );
}

describe('a literal template checked by the compiler, against parseTemplate and captureProperties', () => {
  it('asks for the values the logger binds, for a few hundred generated templates', () => {
    const templates = [...new Set(fc.sample(template, { numRuns: 400, seed: 4040 }))];
    expect(templates.length).toBeGreaterThan(300);
    expect(checkCalls(templates)).toEqual([]);
  });

  it('asks for the values the logger binds, for long generated templates', () => {
    const templates = [...new Set(fc.sample(longTemplate, { numRuns: 24, seed: 4242 }))];
    expect(templates.length).toBe(24);
    expect(Math.max(...templates.map((t) => valuesWanted(t).wanted))).toBeGreaterThan(30);
    expect(templates.filter((t) => !valuesWanted(t).unchecked).length).toBeGreaterThan(12);
    expect(checkCalls(templates)).toEqual([]);
  });
});
