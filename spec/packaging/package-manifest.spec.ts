import * as fs from 'node:fs';
import * as path from 'node:path';

// What npm and bundlers read: every entry has ES module and CommonJS files with their own types,
// node10 resolution finds the subpath types, and rxjs is the app's (a peer), never rxlog's own.
const root = path.join(__dirname, '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, unknown>;
  typesVersions: Record<string, Record<string, string[]>>;
  sideEffects: unknown;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  devDependencies?: Record<string, string>;
  bin: Record<string, string>;
  scripts: Record<string, string>;
  files: string[];
};
const subpaths = fs
  .readdirSync(path.join(root, 'lib'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(root, 'lib', entry.name, 'index.ts')))
  .map((entry) => entry.name);

describe('package.json', () => {
  it.each(['.', ...subpaths.map((name) => `./${name}`)])('exports %s with types, import and require conditions', (entry) => {
    const dir = entry === '.' ? '' : `${entry.slice(2)}/`;
    expect(manifest.exports[entry]).toEqual({
      'types@<5.0': './dist/typescript-too-old.d.ts',
      import: { types: `./dist/esm/${dir}index.d.ts`, default: `./dist/esm/${dir}index.js` },
      require: { types: `./dist/cjs/${dir}index.d.ts`, default: `./dist/cjs/${dir}index.js` },
    });
  });

  // TypeScript picks the first key its version matches: "<5.0" must come before "*", or 4.9 would
  // read the declarations it cannot parse (const type parameters) and fail with errors about them.
  it('sends TypeScript 4.9 and earlier to a file saying they are too old, before every other mapping', () => {
    expect(Object.keys(manifest.typesVersions)).toEqual(['<5.0', '*']);
    expect(manifest.typesVersions['<5.0']).toEqual({ '*': ['./dist/typescript-too-old.d.ts'] });
    const build = fs.readFileSync(path.join(root, 'scripts', 'build.mjs'), 'utf8');
    expect(build).toContain("rxlog's types need TypeScript 5.0 or later");
  });

  it.each(subpaths)('maps rxlog/%s to its types for moduleResolution node10', (name) => {
    expect(manifest.typesVersions['*'][name]).toEqual([`./dist/cjs/${name}/index.d.ts`]);
  });

  it('takes rxjs ^7.8 as a peer, never as a dependency', () => {
    expect(manifest.peerDependencies?.rxjs).toMatch(/^\^7\.8/);
    expect(manifest.dependencies?.rxjs).toBeUndefined();
    expect(manifest.devDependencies?.rxjs).toBeDefined();
  });

  it('marks every peer but rxjs optional: the frameworks of rxlog/angular, rxlog/nest and rxlog/otel', () => {
    const frameworks = Object.keys(manifest.peerDependencies ?? {}).filter((name) => name !== 'rxjs');
    expect(frameworks.length).toBeGreaterThan(0);
    for (const name of frameworks) expect({ name, ...manifest.peerDependenciesMeta?.[name] }).toEqual({ name, optional: true });
    expect(manifest.peerDependenciesMeta?.rxjs).toBeUndefined();
  });

  // A fresh clone has no dist/ and `files` ships dist/ only: a pack that did not build would hold
  // package.json, README and LICENSE, and every import of it would fail. `npm publish` packs too.
  it('builds on `npm pack` (prepack), so a tarball packed from a fresh clone holds dist/', () => {
    expect(manifest.scripts.prepack).toBe('npm run build');
    expect(manifest.files).toEqual(['dist']);
  });

  it('declares no side effects and a CommonJS bin', () => {
    expect(manifest.sideEffects).toBe(false);
    expect(manifest.bin.rxlog).toBe('dist/cjs/cli/main.js');
  });
});
