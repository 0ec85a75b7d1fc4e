import * as path from 'node:path';
import ts from 'typescript';

// The Logger's signatures check a literal template's value count at compile time. These tests run
// the TypeScript compiler on fixture files, as a user's build would, and read its messages.
const fixtures = path.join(__dirname, '..', 'fixtures', 'typed-templates');
const files = ['compiles.ts', 'fails.ts'].map((name) => path.join(fixtures, name));

interface Reported {
  readonly line: number;
  readonly text: string;
}

let reported: Map<string, Reported[]>;

// A whole program with the library: 20-30 s on a loaded two-core machine. The diagnostics fail
// a test, never the time, so the limit is generous.
beforeAll(() => {
  const configPath = path.join(__dirname, '..', '..', 'tsconfig.json');
  const config = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
  );
  if (config === undefined) throw new Error('tsconfig.json not readable');
  const program = ts.createProgram(files, { ...config.options, noEmit: true });
  reported = new Map(files.map((file) => [file, []]));
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const file = diagnostic.file;
    const list = file === undefined ? undefined : reported.get(path.normalize(file.fileName));
    if (file === undefined || list === undefined || diagnostic.start === undefined) {
      throw new Error(`unexpected diagnostic: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`);
    }
    const line = file.getLineAndCharacterOfPosition(diagnostic.start).line + 1;
    list.push({ line, text: ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n') });
  }
}, 180_000);

/** The `// error: …` expectations of a fixture: the line after each comment, and the text expected there. */
function expectations(file: string): Reported[] {
  const lines = ts.sys.readFile(file)?.split('\n') ?? [];
  const found: Reported[] = [];
  lines.forEach((line, index) => {
    const match = /^\/\/ error: (.+)$/.exec(line.trim());
    if (match !== null) found.push({ line: index + 2, text: match[1] });
  });
  return found;
}

/** A type's name (`NotProperties`) rather than a template's problem. */
const isTypeName = (text: string): boolean => /^[A-Z]\w*$/.test(text);

/** What a message must contain: a template's problem is a `TemplateMismatch<"…">`; a type's name is taken as is. */
function expectedText(text: string): string {
  return isTypeName(text) ? text : `TemplateMismatch<"${text}">`;
}

describe('typed templates', () => {
  it('accepts matching values, an exception first, non-literal templates and the aliases', () => {
    expect(reported.get(files[0])).toEqual([]);
  });

  it('rejects each mismatched call with a message naming the holes and the count given', () => {
    const expected = expectations(files[1]);
    expect(expected.length).toBeGreaterThanOrEqual(12);
    const errors = reported.get(files[1]) ?? [];
    for (const { line, text } of expected) {
      const onLine = errors.filter((error) => error.line === line);
      expect({ line, messages: onLine.map((error) => error.text) }).toEqual({
        line,
        messages: [expect.stringContaining(expectedText(text))],
      });
    }
    // A call with no template in it is not told about templates.
    const properties = expected.filter(({ text }) => isTypeName(text)).map(({ line }) => line);
    expect(properties.length).toBeGreaterThanOrEqual(3);
    for (const error of errors.filter(({ line }) => properties.includes(line))) expect(error.text).not.toContain('template');
    expect(errors.map((error) => error.line).sort((a, b) => a - b)).toEqual(expected.map((entry) => entry.line));
  });
});
