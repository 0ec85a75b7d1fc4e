import * as fs from 'node:fs';
import * as path from 'node:path';
import { markdownFiles, prose, ROOT } from '../helpers/markdown-pages';

/**
 * Every relative link of README.md and docs/*.md leads somewhere: the file exists, and a `#fragment`
 * into a Markdown page names one of its headings as GitHub makes their anchors (lower case, spaces
 * as `-`, punctuation other than `-` and `_` dropped, `-1`, `-2` … for a repeated heading) or an
 * explicit `<a id>`. Links inside code blocks are code, not links.
 */

/** GitHub's anchor for a heading's text. */
function slug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}_\- ]/gu, '')
    .replace(/ /g, '-');
}

function anchorsOf(file: string): Set<string> {
  const text = prose(file);
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const [, heading] of text.matchAll(/^#{1,6}\s+(.*?)\s*#*\s*$/gm)) {
    const base = slug(heading);
    const count = seen.get(base) ?? 0;
    anchors.add(count === 0 ? base : `${base}-${count}`);
    seen.set(base, count + 1);
  }
  for (const [, id] of text.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) anchors.add(id);
  return anchors;
}

function brokenLinks(): string[] {
  const files = markdownFiles();
  const anchors = new Map(files.map((file) => [file, anchorsOf(file)]));
  const broken: string[] = [];
  for (const file of files) {
    prose(file)
      .split('\n')
      .forEach((line, index) => {
        for (const [, target] of line.matchAll(/\]\(([^)\s]+)\)/g)) {
          if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
          const [where, fragment] = target.split('#', 2);
          const linked = where === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), where));
          const at = `${file}:${index + 1}: ${target}`;
          if (!fs.existsSync(path.join(ROOT, linked))) broken.push(`${at} (no file ${linked})`);
          else if (fragment !== undefined && linked.endsWith('.md')) {
            const known = anchors.get(linked) ?? anchorsOf(linked);
            if (!known.has(fragment)) broken.push(`${at} (no heading with that anchor in ${linked})`);
          }
        }
      });
  }
  return broken;
}

describe('docs links', () => {
  it('finds the headings GitHub makes anchors of', () => {
    expect(slug('`withHttpLogging(options?)` and `rxlogHttpInterceptor`')).toBe('withhttploggingoptions-and-rxloghttpinterceptor');
    expect(slug('retryWithBackoff and RxJS’s retry')).toBe('retrywithbackoff-and-rxjss-retry');
    expect(anchorsOf('docs/angular.md')).toContain('setup-in-five-lines');
  });

  it('leads every relative link of README.md and docs/*.md to a file and a heading that exist', () => {
    expect(brokenLinks()).toEqual([]);
  });
});
