import * as fs from 'node:fs';
import * as path from 'node:path';

/** The parts of a V8 `.cpuprofile` this summary reads. */
interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
    readonly hitCount?: number;
  }[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
}

/** One function's share of the samples. */
export interface ProfileFrame {
  readonly name: string;
  /** The source file the frame came from (for a bundle: the module esbuild marked), with its line in the bundle. */
  readonly where: string;
  readonly selfMs: number;
  readonly selfPercent: number;
}

/**
 * Maps a line of an esbuild bundle to the module it came from, using the `// path/to/file.ts`
 * comments esbuild writes before each module when it does not minify.
 */
function moduleLocator(bundlePath: string): (line: number) => string {
  let lines: string[];
  try {
    lines = fs.readFileSync(bundlePath, 'utf8').split('\n');
  } catch {
    return () => path.basename(bundlePath);
  }
  const starts: { line: number; module: string }[] = [];
  lines.forEach((text, index) => {
    const match = /^\/\/ ((?:lib|demos|node_modules)\/\S+\.[cm]?[jt]s)$/.exec(text);
    if (match !== null) starts.push({ line: index, module: match[1] });
  });
  return (line) => {
    let found = path.basename(bundlePath);
    for (const start of starts) {
      if (start.line > line) break;
      found = start.module;
    }
    return found;
  };
}

/** The frames with the most self time in a profile, heaviest first (self time is time in the function itself, not its callees). */
export function summarizeProfile(
  profileFile: string,
  bundlePath: string,
  top: number,
): { totalMs: number; frames: ProfileFrame[] } {
  const profile = JSON.parse(fs.readFileSync(profileFile, 'utf8')) as CpuProfile;
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // Each sample's time is the delta to the next sample.
  for (let i = 0; i < samples.length; i++) selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + (deltas[i + 1] ?? 0));
  const locate = moduleLocator(bundlePath);
  const byFrame = new Map<string, { name: string; where: string; us: number }>();
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    if (us === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName === '' ? '(anonymous)' : functionName;
    const inBundle = url.endsWith(path.basename(bundlePath));
    const where =
      url === ''
        ? ''
        : inBundle
          ? `${locate(lineNumber)} (bundle line ${lineNumber + 1})`
          : `${url.replace(/^file:\/\//, '').replace(/^.*node_modules\//, '')}:${lineNumber + 1}`;
    const key = `${name}@${where}`;
    const entry = byFrame.get(key) ?? { name, where, us: 0 };
    entry.us += us;
    byFrame.set(key, entry);
  }
  const totalUs = profile.endTime - profile.startTime;
  const frames = [...byFrame.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((f) => ({ name: f.name, where: f.where, selfMs: f.us / 1000, selfPercent: (100 * f.us) / totalUs }));
  return { totalMs: totalUs / 1000, frames };
}
