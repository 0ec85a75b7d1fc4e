// Builds the API reference with TypeDoc from the package's entry points that exist in this tree
// (rxlog, rxlog/node, and rxlog/angular, rxlog/nest, rxlog/otel when present) into docs/api/.
// A missing doc comment on an export is a warning; `--check` makes every warning fail the run.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entries = ['lib/index.ts', 'lib/node/index.ts', 'lib/angular/index.ts', 'lib/nest/index.ts', 'lib/otel/index.ts'].filter(
  (entry) => existsSync(path.join(root, entry)),
);
const check = process.argv.includes('--check');
const args = [
  ...entries.flatMap((entry) => ['--entryPoints', entry]),
  '--tsconfig',
  'tsconfig.build.json',
  '--out',
  'docs/api',
  '--name',
  'rxlog',
  '--readme',
  'none',
  // Types reached only through an export (the type-level template checks) are documented where
  // they are used; every type a user may have to write is exported (spec/types/public-types.spec.ts).
  '--validation.notExported',
  'false',
  '--validation.invalidLink',
  '--validation.notDocumented',
  // Every export needs its doc comment; members are documented where they say something the
  // name and type do not (a unit, a default), which a tool cannot judge.
  ...['Class', 'Interface', 'Function', 'Variable', 'TypeAlias', 'Enum'].flatMap((kind) => ['--requiredToBeDocumented', kind]),
  // Source links point at the public repository, not at whatever git remote the checkout has
  // (a CI clone may have none, which TypeDoc would report as a warning).
  '--disableGit',
  '--sourceLinkTemplate',
  'https://github.com/rxlog/rxlog/blob/main/{path}#L{line}',
  '--excludeInternal',
  '--excludePrivate',
  ...(check ? ['--treatWarningsAsErrors'] : []),
];
const typedoc = path.join(root, 'node_modules', '.bin', 'typedoc');
const result = spawnSync(typedoc, args, { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
