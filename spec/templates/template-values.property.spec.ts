import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import ts from 'typescript';
import { captureProperties } from '../../lib/templates/capture';
import { parseTemplate } from '../../lib/templates/parse-template';

// The type-level reading of templates (TemplateHoles, TemplateValues) must find the holes parseTemplate finds, and
// ask for the values captureProperties binds. Serilog's parser cases, the malformed holes its tests name, and
// templates drawn from the runtime grammar's pieces are written into one file and read by one compiler run.
const TYPES = path.join(__dirname, '..', '..', 'lib', 'templates', 'template-values');

/** Serilog's MessageTemplateParserTests (serilog/serilog, test/Serilog.Tests/Parsing) and the malformed holes of its docs. */
const SERILOG = [
  '',
  'Hello, world!',
  '{Hello}',
  '{{ Hi! }',
  'Well, {{ Hi!',
  'Nice }}-: mo',
  '{0 space}',
  '{{Hi}}',
  'Hello, {World}}!',
  '{World}}!',
  'Hello, {w@rld',
  'Hello, {w@rld}',
  'Hello, {w@rld}, HI!',
  'Hello, {w{{rld',
  'Hello, {{worl@d}!',
  'Hello, {{worl@d}}!',
  'Hello{{, {w{{rld',
  '{$@}',
  '{$}',
  '{@$}',
  '{@}',
  '{}',
  '{,,}',
  '{0}}space}',
  '{Greeting}, {Name}!',
  '{H&llo}, {w@rld}',
  '{Hello',
  '{Hello,+10}',
  '{Hello,-0}',
  '{Hello,0}',
  '{Hello,-10-1}',
  '{Hello,10-1}',
  '{Hello,-aa}',
  '{Hello,aa}',
  '{Hello,}',
  '{Hello,:format}',
  '{Hello:HH#MM}',
  '{Hello:HH$MM}',
  '{Hello:HH+MM}',
  '{Hello:HH<MM}',
  '{Hello:HH`MM}',
  '{_123_Hello}',
  '{w@rld} Hi!',
  '{$Hello}',
  '{@Hello}',
  '{-1}{-0}{0}{1}{3.1415}',
  '{0}',
  '{0}, {1}, {2}',
  '{Hello,-50:000}',
  '{Hello,5:000}',
  '{Hello:000,-50}',
  '{Hello:000,5}',
  '{Number:##.0;-##.0;zero}',
  '{Number:+##.0}',
  '{Time:hh:mm}',
  '{ name}',
  '{a b}',
  '{abc',
  '{a}}',
  '{A} {A} {B}',
  '{user_1} {User2}',
];

/** Positional indexes with leading zeros, which parseTemplate reads as numbers (`{01}` binds the second value). */
const LEADING_ZEROS = ['{00}', '{01} of {02}', '{007}', '{1} {01}'];

const PIECES = [
  ...['{', '}', '{{', '}}', '@', '$', ',', '-', '+', ':', '.', '_', ' ', '\\', "'", '"', '\n', '`'],
  ...['0', '1', '9', '00', '01', '12', '100', '2147483648', 'A', 'b', 'x', 'é', 'Größe', '·', '€', 'Name', 'A.b'],
  ...[',-10', ',5', ':000', ':hh:mm', '{A}', '{0}', '{1}', '{@B}', '{$C}', '{A,-5:0.0}', '{a b}', '{ n}', '{}', '{@}'],
];

/** Templates drawn from the pieces; a fixed seed, so a failure names the same template on every run. */
const GENERATED = fc.sample(
  fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 14 }).map((parts) => parts.join('')),
  { seed: 34, numRuns: 1500 },
);

/** A hole TemplateValues leaves unchecked on purpose: a positional index past 99 (leading zeros aside). */
const uncheckedIndex = (name: string): boolean => /^[0-9]+$/.test(name) && Number(name) > 99;

interface TypeReading {
  readonly holes: readonly string[] | 'unchecked';
  readonly values: number | 'unchecked';
}

/** What the compiler reads in each template: its holes' names and the count of values it asks for. */
function readTypes(templates: readonly string[]): TypeReading[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxlog-template-property-'));
  try {
    const file = path.join(dir, 'templates.ts');
    const aliases = templates.map(
      (template, i) =>
        `export type H${i} = TemplateHoles<${JSON.stringify(template)}>;\nexport type V${i} = TemplateValues<${JSON.stringify(template)}>;`,
    );
    fs.writeFileSync(
      file,
      `import type { TemplateHoles, TemplateValues } from ${JSON.stringify(TYPES)};\n${aliases.join('\n')}\n`,
    );
    const program = ts.createProgram([file], { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, skipLibCheck: true });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diagnostics).toEqual([]);
    const checker = program.getTypeChecker();
    const source = program.getSourceFile(file);
    if (source === undefined) throw new Error('templates.ts not compiled');
    const types = new Map<string, ts.Type>();
    for (const statement of source.statements)
      if (ts.isTypeAliasDeclaration(statement)) types.set(statement.name.text, checker.getTypeAtLocation(statement.name));
    const tuple = (name: string): readonly ts.Type[] | undefined => {
      const type = types.get(name);
      if (type === undefined) throw new Error(`${name} not read`);
      return checker.isTupleType(type) ? checker.getTypeArguments(type as ts.TypeReference) : undefined;
    };
    return templates.map((_, i) => {
      const holes = tuple(`H${i}`)?.map((type) => (type.isStringLiteral() ? type.value : checker.typeToString(type)));
      return { holes: holes ?? 'unchecked', values: tuple(`V${i}`)?.length ?? 'unchecked' };
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Whether every hole of the template has a value when a call passes `count` values, and none is left over (but for
 * the gaps of positional holes: `'{1}'` takes two values, as string.Format would, and keeps the first as `__0`).
 */
function bindsEveryHole(template: string, count: number): boolean {
  const parsed = parseTemplate(template);
  const holes = parsed.tokens.flatMap((token) => (token.kind === 'property' ? [token] : []));
  const args = Array.from({ length: count }, (_, i) => `v${i}`);
  const properties = captureProperties(parsed, args);
  const positional = holes.length > 0 && holes.every((hole) => hole.position !== undefined);
  // Of positional holes of one index (`{1} {01}`), the last one binds (Serilog's PropertyBinder).
  const binding = positional
    ? holes.filter((hole, i) => !holes.slice(i + 1).some((later) => later.position === hole.position))
    : holes;
  const names = new Set(binding.map((hole) => hole.name));
  return (
    [...names].every((name) => Object.hasOwn(properties, name)) && (positional || Object.keys(properties).length === names.size)
  );
}

describe('TemplateValues agrees with parseTemplate and captureProperties', () => {
  const templates = [...SERILOG, ...LEADING_ZEROS, ...GENERATED];
  let readings: TypeReading[];

  beforeAll(() => {
    readings = readTypes(templates);
  }, 60_000);

  it('reads the holes parseTemplate reads, in order, for every template', () => {
    const disagreements = templates.flatMap((template, i) => {
      const runtime = parseTemplate(template).tokens.flatMap((token) => (token.kind === 'property' ? [token.name] : []));
      const { holes } = readings[i];
      return holes !== 'unchecked' && JSON.stringify(holes) === JSON.stringify(runtime)
        ? []
        : [{ template, runtime, types: holes }];
    });
    expect(disagreements).toEqual([]);
  });

  it('asks for exactly the values that bind every hole, or leaves a positional index past 99 unchecked', () => {
    const disagreements = templates.flatMap((template, i): { template: string; values: TypeReading['values'] }[] => {
      const { values } = readings[i];
      const names = parseTemplate(template).tokens.flatMap((token) => (token.kind === 'property' ? [token.name] : []));
      if (values === 'unchecked') return names.some(uncheckedIndex) ? [] : [{ template, values }];
      const fits = bindsEveryHole(template, values) && (values === 0 || !bindsEveryHole(template, values - 1));
      return fits ? [] : [{ template, values }];
    });
    expect(disagreements).toEqual([]);
  });
});
