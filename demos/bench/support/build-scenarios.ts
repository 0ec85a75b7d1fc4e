import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';

/** Where the bundled scenarios go: inside the git-ignored results folder, so `require('pino')` resolves from the repo's node_modules. */
export const BUILD_DIR = path.join(__dirname, '..', 'results', '.build');

/**
 * Bundles every scenario under `demos/bench/scenarios` into one plain CommonJS file each, so a
 * child starts with `node file.js` and pays no TypeScript loader at start-up. rxlog and RxJS
 * are bundled (as an app would ship them); pino and winston stay external because pino's
 * transports resolve worker files by path. Not minified, so profiles show real names.
 *
 * @returns The path of each bundle by scenario name (`hot-path-rxlog` → `.../hot-path-rxlog.js`).
 */
export async function buildScenarios(): Promise<Map<string, string>> {
  const sourceDir = path.join(__dirname, '..', 'scenarios');
  const names = fs
    .readdirSync(sourceDir)
    .filter((file) => file.endsWith('.ts'))
    .map((file) => file.slice(0, -3));
  fs.rmSync(BUILD_DIR, { recursive: true, force: true });
  await build({
    entryPoints: names.map((name) => path.join(sourceDir, `${name}.ts`)),
    outdir: BUILD_DIR,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['pino', 'winston'],
    logLevel: 'warning',
  });
  return new Map(names.map((name) => [name, path.join(BUILD_DIR, `${name}.js`)]));
}
