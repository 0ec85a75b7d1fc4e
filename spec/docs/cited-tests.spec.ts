import * as fs from 'node:fs';
import * as path from 'node:path';
import { markdownFiles, prose, ROOT } from '../helpers/markdown-pages';

/**
 * The tests the docs cite exist. README.md and docs/*.md back a claim with the test that holds it
 * (`Regression test: "counts every call after close …" (spec/pipeline/serilog-logger.spec.ts)`),
 * and a reader searches spec/ for that name. Each name quoted after "Regression test(s)" in the same
 * sentence (in straight double quotes, at least 12 characters, `…` marking a cut) must be part of
 * the name of an `it`, `test` or `describe` in spec/ (or a `describe`'s name and the start of a
 * name in it), an `it.each` name's `%s`, `$name` or `${…}` standing for a short text. A renamed
 * test otherwise leaves the docs citing one that no longer exists. Quotes inside code (fenced
 * blocks, `inline code`) are code, not names.
 */
const SPEC = path.join(ROOT, 'spec');
const MIN_NAME = 12;

function specFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return specFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Typographic apostrophes as straight ones, whitespace runs as one space. */
function normalize(text: string): string {
  return text.replace(/[‘’]/g, "'").replace(/\s+/g, ' ');
}

/** The paragraphs of a page's prose (fenced code blocks and inline code left out), each on one line. */
function paragraphs(file: string): string[] {
  return prose(file)
    .split(/\n\s*\n/)
    .map((p) => normalize(p.replace(/``[^`]*``|`[^`]*`/g, ' ')));
}

/**
 * Test names quoted after "Regression test(s)" in the same sentence (up to a full stop before a
 * capital, or the end of the parenthesis the phrase opened in), each cut at its `…`.
 */
function citedNames(): { file: string; name: string }[] {
  const cited: { file: string; name: string }[] = [];
  for (const file of markdownFiles()) {
    for (const paragraph of paragraphs(file)) {
      for (const phrase of paragraph.matchAll(/(\(?)regression tests?\b/gi)) {
        const rest = paragraph.slice((phrase.index ?? 0) + phrase[0].length);
        const end = phrase[1] === '(' ? rest.search(/\)(?![^"]*"[^"]*$)/) : rest.search(/\.\s+(?=[A-Z])/);
        const sentence = end === -1 ? rest : rest.slice(0, end);
        for (const [, quoted] of sentence.matchAll(/"([^"]+)"/g)) {
          for (const part of quoted.split('…')) {
            const name = part.trim().replace(/[,.]$/, '').trim();
            if (name.length >= MIN_NAME) cited.push({ file, name });
          }
        }
      }
    }
  }
  return cited;
}

/**
 * The name of every it / test / describe (also `.only`, `.skip`, a helper such as `fifoIt`, and
 * `.each(table)(name, …)`) given as a string, its `%s`, `$x` and `${…}` placeholders cut out: the
 * literal pieces around them. This spec's own examples are left out.
 */
function testNames(): string[][] {
  const names: string[][] = [];
  const call = /\b(?:it|test|describe|\w+It|\w+Test|\w+Describe)\b(?:\.(?:only|skip|concurrent))?(\.each\b)?/g;
  const string = String.raw`(['"\`])((?:\\.|(?!\1)[^\\])*)\1`;
  const direct = new RegExp(String.raw`\s*\(\s*${string}`, 'y');
  const afterTable = new RegExp(String.raw`\)\s*\(\s*${string}`);
  for (const file of specFiles(SPEC)) {
    if (file === __filename) continue;
    const source = fs.readFileSync(file, 'utf8');
    for (const match of source.matchAll(call)) {
      const end = (match.index ?? 0) + match[0].length;
      let found: RegExpExecArray | null;
      if (match[1] === undefined) {
        direct.lastIndex = end;
        found = direct.exec(source);
      } else found = afterTable.exec(source.slice(end, end + 8_000));
      if (found === null) continue;
      const name = normalize(found[2].replace(/\\(['"`\\])/g, '$1'));
      names.push(name.split(/%[sdifjo#]|\$\{[^}]*\}|\$[A-Za-z_]\w*/));
    }
  }
  return names;
}

/** Most text a placeholder of an it.each name stands for in a citation (`graceful`, `rejects`). */
const MAX_PLACEHOLDER = 40;

/**
 * Whether `cited` is part of a name made of `pieces` with placeholders between them: it starts inside
 * a piece (or a placeholder), takes the pieces between whole, and ends inside a later piece (or a
 * placeholder); each placeholder holds at most MAX_PLACEHOLDER characters, and at least half of the
 * cited text is the name's own.
 */
function partOf(cited: string, pieces: readonly string[]): boolean {
  if (pieces.length === 1) return pieces[0].includes(cited);
  for (let first = 0; first < pieces.length; first++) {
    if (pieces[first].includes(cited)) return true;
    let at = Math.min(pieces[first].length, cited.length);
    while (at > 0 && !pieces[first].endsWith(cited.slice(0, at))) at--;
    let literal = at;
    for (let last = first + 1; last < pieces.length; last++) {
      let tail = at;
      while (tail < cited.length && !pieces[last].startsWith(cited.slice(tail))) tail++;
      if (tail - at <= MAX_PLACEHOLDER && 2 * (literal + cited.length - tail) >= cited.length) return true;
      const next = pieces[last] === '' ? -1 : cited.indexOf(pieces[last], at);
      if (next === -1 || next - at > MAX_PLACEHOLDER) break;
      at = next + pieces[last].length;
      literal += pieces[last].length;
    }
  }
  return false;
}

/** Whether `cited` names a test: part of one name, or a describe's name, a space and the start of a name in it. */
function namesATest(cited: string, names: readonly (readonly string[])[]): boolean {
  if (names.some((pieces) => partOf(cited, pieces))) return true;
  return names.some((outer) => {
    if (outer.length !== 1 || outer[0].length === 0 || !cited.startsWith(`${outer[0]} `)) return false;
    const inner = cited.slice(outer[0].length + 1);
    return names.some((pieces) => pieces[0].startsWith(inner) || partOf(inner, pieces));
  });
}

describe('docs citing tests', () => {
  const names = testNames();

  it('matches a cited name to the spec names, with it.each placeholders', () => {
    const each = ['counts the events a fallback that ', ' a PartialDeliveryError wrote as delivered'];
    expect(partOf('counts the events a fallback that throws a PartialDeliveryError wrote', each)).toBe(true);
    expect(partOf('a fallback that rejects a PartialDeliveryError', each)).toBe(true);
    // A renamed test: what the docs cite would be all placeholder.
    const renamed = ['counts the events a sink reports written before a partial failure (', ' PartialDeliveryError), and retries only the rest'];
    expect(partOf("counts the events written before a partial failure reported with another copy of rxlog's PartialDeliveryError", renamed)).toBe(false);
    expect(namesATest('a SelfLog handler called during a queue-overflow diagnostic sees received', [['a SelfLog handler called during a queue-overflow diagnostic'], ['sees received = delivered']])).toBe(true);
    expect(names.length).toBeGreaterThan(1000);
  });

  it('cites only tests that exist in spec/', () => {
    const cited = citedNames();
    expect(cited.length).toBeGreaterThan(80);
    const missing = cited.filter(({ name }) => !namesATest(name, names));
    expect(missing.map(({ file, name }) => `${file}: "${name}"`)).toEqual([]);
  });
});
