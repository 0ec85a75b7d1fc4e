import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';
import { captureProperties } from '../../lib/templates/capture';
import { parseTemplate } from '../../lib/templates/parse-template';
import { importFrom, typeDiagnostics } from '../helpers/type-diagnostics';

// Each test compiles programs with the TypeScript compiler: seconds on an idle machine, but one
// took 25 s of jest's default 30 s on a loaded two-core machine. What fails a test is the compiler's
// diagnostics (a type too deep to check is one, TS2589), never the time, so the limit is generous.
jest.setTimeout(120_000);

// template-values.ts is types only: these tests compile small programs against it, as a user's
// build would, and read the compiler's diagnostics.
const TYPES = path.join(__dirname, '..', '..', 'lib', 'templates', 'template-values');

/** The compiler's diagnostics for `source`, and the type instantiations it took to check them. */
function compile(source: string): { diagnostics: { code: number; text: string }[]; instantiations: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxlog-template-values-'));
  try {
    const file = path.join(dir, 'check.ts');
    fs.writeFileSync(
      file,
      `import type { CheckLogArguments, TemplateHoles, TemplateValues } from ${JSON.stringify(TYPES)};\n${source}`,
    );
    const program = ts.createProgram([file], { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, skipLibCheck: true });
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ({ code: d.code, text: ts.flattenDiagnosticMessageText(d.messageText, '\n') }));
    return { diagnostics, instantiations: program.getInstantiationCount() };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function diagnostics(source: string): { code: number; text: string }[] {
  return compile(source).diagnostics;
}

const holes = (count: number): string => Array.from({ length: count }, (_, i) => `{A${i}}`).join(' ');
const names = (count: number): string => Array.from({ length: count }, (_, i) => `A${i}`).join(', ');

describe('TemplateValues and CheckLogArguments', () => {
  it('count the holes of a literal template', () => {
    expect(
      diagnostics(`
        const two: TemplateValues<'User {UserId} from {@Location}'> = [1, 2];
        const positional: TemplateValues<'{1} then {0} and {1}'> = ['a', 'b'];
        const literalBraces: TemplateValues<'{{A}} {B}'> = [1];
        const loose: TemplateValues<string> = [1, 2, 3];
        const holes: TemplateHoles<'{User} from {@Location} at {0}'> = ['User', 'Location', '0'];
        export { two, positional, literalBraces, loose, holes };
      `),
    ).toEqual([]);
  });

  // docs/typed-templates.md: "Positional indexes above {99} are not counted". `{100}` asked for 101 values.
  it('count positional indexes up to {99} and leave a template with a higher one unchecked', () => {
    expect(
      diagnostics(`
        const highest: TemplateValues<'{99}'>['length'] = 100;
        type Above = TemplateValues<'{100}'>;
        const above: Above = [1, 2, 3];
        const anyCount: number extends Above['length'] ? true : false = true;
        const call: CheckLogArguments<'{0} {100}', [1, 2]> = 'anything';
        export { highest, above, anyCount, call };
      `),
    ).toEqual([]);
  });

  it('name every hole of a long mismatched template, without "excessively deep"', () => {
    // The names were once joined by a recursion that TypeScript stops at 50 levels.
    for (const count of [60, 200]) {
      const found = diagnostics(`
        type Problem = CheckLogArguments<'${holes(count)}', [1]>['rxlog: the values do not match the template'];
        const problem: Problem = '${count} values expected (${names(count)}), 1 given';
        export { problem };
      `);
      expect(found).toEqual([]);
    }
  });

  // TypeScript follows a tail-recursive type 1 000 steps: a literal of 1 100 holes (or `{{`) failed the user's build
  // with TS2589 "Type instantiation is excessively deep", for a call that runs as it should.
  it('leave a template of more than 900 braces unchecked instead of failing the build', () => {
    expect(
      diagnostics(`
        const many: CheckLogArguments<'${holes(1100)}', [1, 2]> = 'anything';
        const braces: CheckLogArguments<'${'{{x}} '.repeat(1100)}{A}', [1, 2, 3]> = 'anything';
        const loose: TemplateValues<'${holes(1100)}'> = [1];
        export { many, braces, loose };
      `),
    ).toEqual([]);
  });

  // The 900 steps are counted in characters and compared with a literal; built from shorter ones, that comparison
  // answered wrongly once a template had been read near the limit, so the next one was read past it.
  it('stop at 900 steps whatever was read before, in one program', () => {
    const braces = (count: number): string => `${'{{'.repeat(count)}{A}`;
    expect(
      diagnostics(`
        type Checked<T extends string> = number extends TemplateValues<T>['length'] ? 'unchecked' : 'checked';
        const below: Checked<'${braces(898)}'> = 'checked';
        const atLimit: Checked<'${braces(899)}'> = 'unchecked';
        const belowAgain: Checked<'${braces(897)}'> = 'checked';
        type Long<T extends string> = number extends TemplateValues<T>['length'] ? 'unchecked' : 'checked';
        const shorter: Long<'${'x'.repeat(65532)}{A}'> = 'checked';
        const longest: Long<'${'x'.repeat(65533)}{A}'> = 'unchecked';
        export { below, atLimit, belowAgain, shorter, longest };
      `),
    ).toEqual([]);
  });

  // Each step of the reading counted its steps in a tuple, and the names a call binds were found by taking the names
  // apart from the start, costs that grew with the template: 800 holes took 830 000 instantiations, and 400 holes
  // then the same 400 again 770 000 (TypeScript gives up at 5 000 000 a statement). What a user waits for is the
  // compiler's time, which follows the instantiations; the count is the same on every machine.
  it('check a template of 800 holes in instantiations proportional to its holes', () => {
    const values = Array.from({ length: 800 }, (_, i) => i).join(', ');
    const distinct = compile(`
      type Template = '${holes(800)}';
      const count: TemplateValues<Template>['length'] = 800;
      const fits: CheckLogArguments<Template, [${values}]> = 'anything';
      export { count, fits };
    `);
    expect(distinct.diagnostics).toEqual([]);
    expect(distinct.instantiations).toBeLessThan(300_000);
    // The repeats that end a template are dropped one by one, each a step costing more the more names there are.
    const repeated = compile(`
      const repeats: TemplateValues<'${holes(400)} ${holes(400)}'>['length'] = 400;
      export { repeats };
    `);
    expect(repeated.diagnostics).toEqual([]);
    expect(repeated.instantiations).toBeLessThan(450_000);
  });

  // Whether a literal is too long to read was told by counting its characters 128 a step in a tuple: a literal of
  // 60 000 characters and one hole took 120 000 instantiations.
  it('check a literal of 60 000 characters in instantiations proportional to its holes', () => {
    const long = compile(`
      const count: TemplateValues<'${'x'.repeat(60_000)} {A}'>['length'] = 1;
      export { count };
    `);
    expect(long.diagnostics).toEqual([]);
    expect(long.instantiations).toBeLessThan(20_000);
  });

  it('accept a long matching call', () => {
    expect(
      diagnostics(`
        const fits: CheckLogArguments<'${holes(120)}', [${Array.from({ length: 120 }, (_, i) => i).join(', ')}]> = 'anything';
        export { fits };
      `),
    ).toEqual([]);
  });
});

describe('TemplateHoles of a template whose text is known only at run time', () => {
  // TemplateHoles<string> was [] (no holes), and TemplateHoles<`{${string}}`> read the pattern as text: a user's type
  // built on it claimed a template typed string has no holes.
  it('is string[], as TemplateValues is unknown[]', () => {
    expect(
      diagnostics(`
        declare const key: string;
        const template = \`{\${key}} {B}\` as const;
        const loose: [TemplateHoles<string>, TemplateHoles<typeof template>, TemplateValues<typeof template>] = [['A'], ['A', 'B', 'C'], [1, 2, 3]];
        export { loose };
      `),
    ).toEqual([]);
  });
});

describe('TemplateValues reads hole names as parseTemplate does', () => {
  it('counts a dotted name ({http.method}) as a hole, and {1abc}, {.x}, {x.}, {x..y}, {0.1} and malformed alignments as text', () => {
    expect(
      diagnostics(`
        const dotted: TemplateValues<'{http.method} {url.full}'> = [1, 2];
        const notNames: TemplateValues<'{1abc} {.x} {x.} {x..y} {0.1}'> = [];
        const underscore: TemplateValues<'{_a.b_2} {0}'> = [1, 2];
        const badAlignments: TemplateValues<'{A,x} {B,} {C,+5} {D, 5} {E,5,6} {F,-}'> = [];
        const goodAlignments: TemplateValues<'{A,5} {B,-10:000} {C:x,y} {D,0:a,b}'> = [1, 2, 3, 4];
        type Problem = CheckLogArguments<'Request {http.method}', ['GET']>;
        const fits: Problem = 'anything';
        export { dotted, notNames, underscore, badAlignments, goodAlignments, fits };
      `),
    ).toEqual([]);
  });
});

describe('TemplateValues binds a repeated name as captureProperties does', () => {
  // Named holes take one value each, left to right, as in Serilog: a repeated name before a new one takes a value of
  // its own. The types counted each name once, so '{User} logged in; {User} has {Count} items' took ('ann', 5), and
  // the event was { User: 5 }, rendered '5 logged in; 5 has {Count} items'.
  const cases: [template: string, names: string[]][] = [
    ['{A} then {A} again', ['A']],
    ['{A} {B} {A} {B}', ['A', 'B']],
    ['{User} logged in; {User} has {Count} items', ['User', 'User', 'Count']],
    ['{A} {A} {B} {A} {C} {B}', ['A', 'A', 'B', 'A', 'C']],
    ['{0} {A} {0}', ['0', 'A']],
  ];

  it.each(cases)('captureProperties binds every name of %p, and no extra, with %p', (template, names) => {
    const args = names.map((name, i) => `${name}${i}`);
    const properties = captureProperties(parseTemplate(template), args);
    const distinct = [...new Set(names)];
    expect(Object.keys(properties).sort()).toEqual(distinct.sort());
    for (const name of distinct) expect(properties[name]).toBe(args[names.lastIndexOf(name)]);
  });

  it('takes a value for each hole up to the last new name, and names them in a mismatch', () => {
    const checks = cases.map(
      ([template, names], i) =>
        `const r${i}: TemplateValues<'${template}'> = [${names.map(() => 1).join(', ')}];\n` +
        `const m${i}: CheckLogArguments<'${template}', [${names
          .slice(1)
          .map(() => 1)
          .join(', ')}]>['rxlog: the values do not match the template'] = ` +
        `'${names.length} ${names.length === 1 ? 'value' : 'values'} expected (${names.join(', ')}), ${names.length - 1} given';`,
    );
    const exported = cases.flatMap((_, i) => [`r${i}`, `m${i}`]).join(', ');
    expect(diagnostics(`${checks.join('\n')}\nexport { ${exported} };`)).toEqual([]);
  });
});

describe('a Logger call checks a repeated name and an alignment as it binds them', () => {
  it('fails to compile where a value would be lost, and compiles where every hole binds', () => {
    const imports = [importFrom('{ LoggerConfiguration }', 'configuration/logger-configuration')];
    const found = typeDiagnostics(
      imports,
      `
      const log = new LoggerConfiguration().createLogger();
      log.information('{User} logged in; {User} has {Count} items', 'ann', 'ann', 5);
      log.information('{User} has {Count} items; {User} logged in', 'ann', 5);
      log.information('{A,2147483648}');
      log.information('{User} logged in; {User} has {Count} items', 'ann', 5);
      log.information('{A,2147483648}', 1);
      `,
    );
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/^6: .*TemplateMismatch<"3 values expected \(User, User, Count\), 2 given">/s);
    expect(found[1]).toMatch(/^7: .*TemplateMismatch<"no values expected, 1 given">/s);
  });
});

describe('TemplateValues reads an alignment as parseTemplate does', () => {
  // parseTemplate reads an alignment as an int32 whose magnitude is one too, leading zeros aside: past it the hole is
  // text. The types read any digits as an alignment, so '{A,2147483648}' asked for a value the logger binds to no hole.
  const cases: [what: string, template: string, holes: number][] = [
    ['up to 2147483647', '{A,2147483647} {B,-2147483647} {C,0000000000002147483647} {D,-00999999999}', 4],
    ['past it', '{A,2147483648} {B,-2147483648} {C,99999999999} {D,-3000000000} {E,00000000002147483648}', 0],
    ['of 3 000 digits', `{A,${'9'.repeat(3000)}} {B,${'0'.repeat(3000)}7}`, 1],
  ];

  it.each(cases)('parseTemplate reads the holes with alignments %s', (_what, template, holes) => {
    expect(parseTemplate(template).tokens.filter((token) => token.kind === 'property')).toHaveLength(holes);
  });

  it('counts a hole whose alignment is past int32 as text', () => {
    const checks = cases.map(
      ([, template, holes], i) =>
        `const a${i}: TemplateValues<'${template}'> = [${Array.from({ length: holes }, () => 1).join(', ')}];`,
    );
    expect(diagnostics(`${checks.join('\n')}\nexport { ${cases.map((_, i) => `a${i}`).join(', ')} };`)).toEqual([]);
  });
});

describe('TemplateValues reads a format as parseTemplate does', () => {
  // A format runs to the hole's '}' and may hold '{' ({V:x{y} is the hole V, format 'x{y'); the types read the '{' as
  // the start of a hole y, so '{V:x{y} {y}' asked for one value where the logger binds two.
  it('keeps a "{" inside a format in the hole, and still ends a hole at a "{" before its format', () => {
    expect(
      diagnostics(`
        const braceInFormat: TemplateValues<'{V:x{y} {y}'> = [1, 2];
        type Problem = CheckLogArguments<'{V:x{y} {W}', [1]>['rxlog: the values do not match the template'];
        const problem: Problem = '2 values expected (V, W), 1 given';
        const braceInName: TemplateValues<'{A{B} {A,1{C}'> = [1, 2];
        export { braceInFormat, problem, braceInName };
      `),
    ).toEqual([]);
  });
});

describe('TemplateValues reads non-ASCII names as parseTemplate does, or does not check them', () => {
  // parseTemplate takes Unicode letters (\p{L}) and digits (\p{Nd}) in names, which types cannot see. Letters with
  // upper and lower case and Latin-1 and common punctuation are classified; a name with any other character is
  // unchecked (any count of values). Before, every non-ASCII character counted as a letter: '{😀}' and '{a·b}' asked
  // for a value that the logger binds to no hole, and '{1٣}' (a hole) asked for none.
  const cases: [template: string, holes: number, checked: boolean][] = [
    ['{Größe} {Имя} {ǅx} {Ωmega.ß}', 4, true],
    ['{ªº}', 1, true],
    ['{a·b} {x€} {a—b} {«q»} {n°} {x²}', 0, true],
    ['{1中.x} {.中} {中..x}', 0, true],
    ['{😀}', 0, false],
    ['{名前}', 1, false],
    ['{1٣}', 1, false],
    ['{٣abc} {A}', 1, false],
  ];

  it.each(cases)('parseTemplate reads %p as %p holes', (template, holes) => {
    const names = new Set(parseTemplate(template).tokens.flatMap((token) => (token.kind === 'property' ? [token.name] : [])));
    expect(names.size).toBe(holes);
  });

  it('counts classified names as parseTemplate does and leaves the others unchecked', () => {
    const checks = cases.map(([template, holes, checked], i) =>
      checked
        ? `const u${i}: TemplateValues<'${template}'> = [${Array.from({ length: holes }, () => 1).join(', ')}];`
        : `const u${i}: [TemplateValues<'${template}'>, CheckLogArguments<'${template}', []>, CheckLogArguments<'${template}', [1, 2, 3]>] = [[1, 2, 3], 'anything', 'anything'];`,
    );
    expect(diagnostics(`${checks.join('\n')}\nexport { ${cases.map((_, i) => `u${i}`).join(', ')} };`)).toEqual([]);
  });

  it('reads every character with upper and lower case as parseTemplate does', () => {
    // The types call a character with case forms a letter; 85 of them are not (Ⓐ, Ⅻ, the combining U+0345), and
    // '{aⒶ}' asked for a value that the logger binds to no hole.
    const checks: string[] = [];
    for (let code = 0; code < 0x10000; code++) {
      const c = String.fromCharCode(code);
      if (code >= 0xd800 && code <= 0xdfff) continue;
      if (c.toUpperCase() === c.toLowerCase() || c === "'" || c === '\\') continue;
      const holes = parseTemplate(`{a${c}}`).tokens.filter((token) => token.kind === 'property').length;
      checks.push(`const c${code}: TemplateValues<'{a${c}}'> = [${holes === 1 ? '1' : ''}];`);
    }
    expect(checks.length).toBeGreaterThan(2000);
    const names = checks.map((check) => /^const (c\d+)/.exec(check)?.[1]).join(', ');
    expect(diagnostics(`${checks.join('\n')}\nexport { ${names} };`)).toEqual([]);
  });

  it('reads a hole name of 500 characters', () => {
    expect(
      diagnostics(`
      const fits: TemplateValues<'{${'x'.repeat(500)}} {${'1'.repeat(500)}x}'> = [1];
      type Problem = CheckLogArguments<'{${'x'.repeat(500)}}', []>['rxlog: the values do not match the template'];
      const problem: Problem = '1 value expected (${'x'.repeat(500)}), 0 given';
      export { fits, problem };
    `),
    ).toEqual([]);
  });
});

describe('TemplateValues leaves a template with a long hole unchecked', () => {
  // Each part of a hole was read by a recursive type, a step per character (digits, dotted parts) or per four (a
  // name) or sixteen (leading zeros of an alignment), and TypeScript stops one at 1 000 steps: a name of 4 001
  // characters, 1 000 digits, 1 000 dotted parts or 16 000 zeros failed the user's build with TS2589 "Type
  // instantiation is excessively deep", for a call that runs as it should. A hole of 512 characters or more before
  // its format is not read: the template takes any number of values.
  const cases: [what: string, hole: string, holes: number][] = [
    ['a name of 4 001 characters', `{${'x'.repeat(4001)}}`, 1],
    ['a name of 5 000 CJK characters', `{${'中'.repeat(5000)}}`, 1],
    ['a positional index of 1 500 digits', `{${'1'.repeat(1500)}}`, 1],
    ['a name of 1 200 dotted parts', `{${'a.'.repeat(1200)}b}`, 1],
    ['an alignment of 20 000 leading zeros', `{A,${'0'.repeat(20000)}5}`, 1],
    ['a name of 600 characters that is no name', `{${'not a name '.repeat(60)}}`, 0],
  ];

  it.each(cases)('parseTemplate reads a hole with %s', (_what, hole, holes) => {
    expect(parseTemplate(hole).tokens.filter((token) => token.kind === 'property')).toHaveLength(holes);
  });

  it('accepts any number of values for such a template, without "excessively deep"', () => {
    const checks = cases.map(
      ([, hole], i) =>
        `const l${i}: [CheckLogArguments<'{A} ${hole}', []>, CheckLogArguments<'${hole} {B}', [1, 2, 3]>, TemplateValues<'${hole}'>] = ['anything', 'anything', [1, 2]];`,
    );
    expect(diagnostics(`${checks.join('\n')}\nexport { ${cases.map((_, i) => `l${i}`).join(', ')} };`)).toEqual([]);
  });
});

describe('TemplateValues leaves a very long template unchecked', () => {
  // Each hole was within the limits above, but TypeScript also stops one statement's type checking after 5 000 000
  // instantiations: 800 holes of 500-character dotted names (a 400 000-character literal) failed the user's build
  // with TS2589 "Type instantiation is excessively deep", for a call that runs as it should. A literal of 65 536
  // characters or more is not read: it takes any number of values, as a `string` does.
  const dotted = Array.from({ length: 800 }, (_, i) => `{${'a.'.repeat(250)}b${i}}`).join(' ');

  it('parseTemplate reads its holes', () => {
    expect(parseTemplate(dotted).tokens.filter((token) => token.kind === 'property')).toHaveLength(800);
  });

  it('accepts any number of values for it, without "excessively deep"', () => {
    expect(
      diagnostics(`
        const call: CheckLogArguments<'${dotted}', [1]> = 'anything';
        const values: TemplateValues<'${dotted}'> = [1, 2];
        const holes: TemplateHoles<'${dotted}'> = ['A'];
        type Checked<T extends string> = number extends TemplateValues<T>['length'] ? 'unchecked' : 'checked';
        const below: Checked<'${'x'.repeat(65532)}{A}'> = 'checked';
        const atLimit: Checked<'${'x'.repeat(65533)}{A}'> = 'unchecked';
        export { call, values, holes, below, atLimit };
      `),
    ).toEqual([]);
  });
});
