/**
 * Whether a request path is one of the ignored ones: a string matches the whole path, a RegExp
 * is tested from the start of the path every time (a global or sticky one keeps its position
 * between calls otherwise, and would match only every other request).
 */
export function isIgnoredPath(patterns: readonly (string | RegExp)[], path: string): boolean {
  for (const pattern of patterns) {
    if (typeof pattern === 'string') {
      if (pattern === path) return true;
      continue;
    }
    pattern.lastIndex = 0;
    if (pattern.test(path)) return true;
  }
  return false;
}
