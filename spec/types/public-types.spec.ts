import * as path from 'node:path';
import ts from 'typescript';

// Every type a public signature names must itself be public: exported from one of the package's
// entries. A type that is not cannot be written in a user's annotation (`isolatedDeclarations`
// demands them), and a user library whose declarations infer it fails with TS2742 ("cannot be
// named without a reference to .../dist/cjs/..."), since `exports` hides rxlog's inner paths.
const root = path.join(__dirname, '..', '..');
const ENTRIES = ['index.ts', 'node/index.ts', 'otel/index.ts', 'nest/index.ts', 'angular/index.ts'].map((file) =>
  path.join(root, 'lib', file),
);

/**
 * Types left unexported on purpose, each with why: the type-level reading of templates and the
 * checks of properties objects are written by TypeScript through the exported aliases
 * (CheckLogArguments, CheckProperties), never by a user.
 */
const INTERNAL = new Set([
  'AlignmentFits',
  'AllPositional',
  'BeforeFormat',
  'BoundHoles',
  'CheckTemplate',
  'HoleName',
  'IsName',
  'Longest',
  'UnknownEach',
  // Nest builds RxlogRequestContext through its injector, from the module's options.
  'RequestLoggingSettings',
]);

const USER_CALLS = path.join(__dirname, 'fixtures', 'user-calls.ts');

let program: ts.Program;
let checker: ts.TypeChecker;

// A whole program with the library: 20-30 s on a loaded two-core machine. The diagnostics fail
// a test, never the time, so the limit is generous.
beforeAll(() => {
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(root, 'tsconfig.json'),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
  );
  if (config === undefined) throw new Error('tsconfig.json not readable');
  program = ts.createProgram([...ENTRIES, USER_CALLS], { ...config.options, noEmit: true });
  checker = program.getTypeChecker();
}, 180_000);

const LIB = path.join(root, 'lib');
const inLib = (symbol: ts.Symbol): boolean =>
  (symbol.declarations ?? []).some((d) => path.normalize(d.getSourceFile().fileName).startsWith(LIB));

const resolved = (symbol: ts.Symbol): ts.Symbol =>
  symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;

/** Members a user never sees: private, protected, `#private` and `@internal` ones. */
const hidden = (symbol: ts.Symbol): boolean =>
  (symbol.declarations ?? []).some(
    (d) =>
      ts.getCombinedModifierFlags(d) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected) ||
      ((ts.isClassElement(d) || ts.isTypeElement(d)) && d.name !== undefined && ts.isPrivateIdentifier(d.name)) ||
      ts.getJSDocTags(d).some((tag) => tag.tagName.text === 'internal'),
  );

/** A declaration TypeScript writes by its name (an interface, a class, an alias, an enum), not inline. */
const NAMED = ts.SymbolFlags.Interface | ts.SymbolFlags.Class | ts.SymbolFlags.TypeAlias | ts.SymbolFlags.Enum;

/** The types of lib/ that the entries' public values and types reach, that no entry exports. */
function unnameable(): string[] {
  const exported = new Set<ts.Symbol>();
  const roots: [string, ts.Type][] = [];
  for (const entry of ENTRIES) {
    const file = program.getSourceFile(entry);
    const module = file === undefined ? undefined : checker.getSymbolAtLocation(file);
    if (module === undefined) throw new Error(`${entry}: not compiled`);
    for (const symbol of checker.getExportsOfModule(module)) {
      const target = resolved(symbol);
      exported.add(target);
      // A class exported with `export type` is a type only: users cannot call its constructor.
      const typeOnly = (symbol.declarations ?? []).some(
        (d) => ts.isExportSpecifier(d) && (d.isTypeOnly || d.parent.parent.isTypeOnly),
      );
      if (target.flags & ts.SymbolFlags.Value && !typeOnly) roots.push([symbol.name, checker.getTypeOfSymbol(target)]);
      if (target.flags & NAMED) roots.push([symbol.name, checker.getDeclaredTypeOfSymbol(target)]);
    }
  }
  const found = new Set<string>();
  const seen = new Set<ts.Type>();
  const walk = (type: ts.Type, where: string): void => {
    if (seen.has(type)) return;
    seen.add(type);
    const named = type.aliasSymbol ?? type.getSymbol();
    if (named !== undefined && named.flags & NAMED) {
      if (!inLib(named)) {
        // A type of rxjs, Node or a framework: only what rxlog passes it matters.
        for (const argument of [...(type.aliasTypeArguments ?? []), ...typeArguments(type)]) walk(argument, where);
        return;
      }
      if (!exported.has(named) && !INTERNAL.has(named.name)) found.add(`${named.name} (reached from ${where})`);
      // An exported alias is written by its name (`EnricherProperties`, `CheckLogArguments<…>`): only its arguments count.
      if (type.aliasSymbol === named && exported.has(named)) {
        for (const argument of type.aliasTypeArguments ?? []) walk(argument, where);
        return;
      }
    }
    if (type.flags & ts.TypeFlags.Conditional) {
      // A conditional written inline (`P extends NotAnObjectOfProperties ? … : unknown`) names what it tests against;
      // one behind an alias (CheckLogArguments) is written by that alias's name.
      if (type.aliasSymbol === undefined) walk((type as ts.ConditionalType).extendsType, where);
      return;
    }
    if (type.isUnionOrIntersection()) for (const part of type.types) walk(part, where);
    for (const argument of [...(type.aliasTypeArguments ?? []), ...typeArguments(type)]) walk(argument, where);
    for (const kind of [ts.SignatureKind.Call, ts.SignatureKind.Construct])
      for (const signature of checker.getSignaturesOfType(type, kind)) {
        if (
          signature.declaration !== undefined &&
          ts.getJSDocTags(signature.declaration).some((t) => t.tagName.text === 'internal')
        )
          continue;
        for (const parameter of signature.getParameters()) walk(checker.getTypeOfSymbol(parameter), where);
        walk(signature.getReturnType(), where);
      }
    if (type.flags & ts.TypeFlags.Object)
      for (const property of checker.getPropertiesOfType(type))
        if (!hidden(property) && inLib(property)) walk(checker.getTypeOfSymbol(property), `${where}.${property.name}`);
  };
  const typeArguments = (type: ts.Type): readonly ts.Type[] =>
    type.flags & ts.TypeFlags.Object && (type as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference
      ? checker.getTypeArguments(type as ts.TypeReference)
      : [];
  for (const [name, type] of roots) walk(type, name);
  if (roots.length < 300) throw new Error(`only ${roots.length} exports read`);
  return [...found].sort();
}

describe('the public types', () => {
  it('name only types an entry exports, so users can write them and declarations can infer them', () => {
    expect(unnameable()).toEqual([]);
  });

  it('accept what users write and refuse misspelt options, with no `any` in what they get back', () => {
    const file = program.getSourceFile(USER_CALLS);
    if (file === undefined) throw new Error('fixture not compiled');
    const errors = [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)].map(
      (d) =>
        `${d.start === undefined ? '' : file.getLineAndCharacterOfPosition(d.start).line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`,
    );
    expect(errors).toEqual([]);
  });
});
