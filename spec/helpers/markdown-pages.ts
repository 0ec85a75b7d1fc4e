// The Markdown pages the docs specs read, and their prose without code blocks.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository's root. */
export const ROOT = path.resolve(__dirname, '../..');

/** README.md and every docs/*.md, by path from the root. */
export function markdownFiles(): string[] {
  const pages = fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', ...pages];
}

/** The page's text without its fenced code blocks (```` ``` ```` or `~~~`), each fenced line empty, so line numbers are kept. */
export function prose(file: string): string {
  const lines = fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n');
  let fence: string | undefined;
  return lines
    .map((line) => {
      const open = /^\s*(`{3,}|~{3,})/.exec(line);
      if (fence === undefined && open !== null) {
        fence = open[1];
        return '';
      }
      if (fence !== undefined) {
        if (line.trimStart().startsWith(fence)) fence = undefined;
        return '';
      }
      return line;
    })
    .join('\n');
}
