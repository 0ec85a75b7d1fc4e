import path from 'node:path';
import { build } from 'esbuild';

/** What an app's bundle holds of this source, importing from lib/angular (Angular and rxjs external, as an app's build sees them). */
export interface Bundle {
  /** The Angular modules the bundle imports, and their names: `@angular/router: Router as a`. */
  readonly angularImports: string[];
  /** rxlog's files that put code in the bundle, relative to lib/: `angular/provide-rxlog.ts`. */
  readonly files: string[];
}

/** Bundles the source as an app's build would (esbuild, minified, tree-shaken with sideEffects: false). */
export async function bundleOf(source: string): Promise<Bundle> {
  const lib = path.join(__dirname, '..', '..', 'lib');
  const result = await build({
    stdin: { contents: source, resolveDir: path.join(lib, 'angular'), loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    external: ['@angular/*', 'rxjs'],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].text;
  const angularImports = [...code.matchAll(/import\s*\{([^}]*)\}\s*from\s*"(@angular\/[^"]+)"/g)]
    .map(([, names, from]) => `${from}: ${names}`)
    .sort();
  const inputs = Object.values(result.metafile.outputs)[0].inputs;
  const files = Object.entries(inputs)
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([file]) => path.relative(lib, path.resolve(file)).split(path.sep).join('/'))
    .sort();
  return { angularImports, files };
}
