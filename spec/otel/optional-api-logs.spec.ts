import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { buildSync } from 'esbuild';

// rxlog/otel as the two builds ship it (scripts/build.mjs: ES modules from esbuild, CommonJS from
// tsc; here both from esbuild, which writes imports and dynamic imports of a package the same way),
// loaded by Node from a folder whose node_modules has @opentelemetry/api (and a context manager) but no
// @opentelemetry/api-logs: what an app that installed only the API for traceContextEnricher has.
const root = path.resolve(__dirname, '..', '..');

/** A script that loads rxlog/otel (`load`), enriches an event in a span and writes to a provider of its own, printing both. */
function script(load: string): string {
  return `${load}
const { trace, context } = api;
context.setGlobalContextManager(new hooks.AsyncLocalStorageContextManager().enable());
const span = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 });
const enricher = otel.traceContextEnricher();
const added = context.with(trace.setSpan(context.active(), span), () => enricher({ properties: {} }));
const emitted = [];
const provider = { getLogger: () => ({ emit: (record) => emitted.push(record.body), enabled: () => true }) };
const sink = new otel.OpenTelemetrySink({ loggerProvider: provider });
sink.emit([{ timestamp: new Date(0), level: 'information', messageTemplate: { text: 'hi', tokens: [] }, properties: {}, renderMessage: () => 'hi' }]);
console.log(JSON.stringify({ added, emitted }));
`;
}

describe('rxlog/otel without @opentelemetry/api-logs installed', () => {
  let dir: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxlog-otel-'));
    for (const name of ['@opentelemetry/api', '@opentelemetry/context-async-hooks', 'rxjs']) {
      fs.mkdirSync(path.dirname(path.join(dir, 'node_modules', name)), { recursive: true });
      fs.symlinkSync(path.join(root, 'node_modules', name), path.join(dir, 'node_modules', name), 'dir');
    }
    for (const [format, file] of [
      ['esm', 'otel.mjs'],
      ['cjs', 'otel.cjs'],
    ] as const)
      buildSync({
        entryPoints: [path.join(root, 'lib', 'otel', 'index.ts')],
        outfile: path.join(dir, file),
        bundle: true,
        format,
        platform: 'neutral',
        target: 'es2022',
        external: ['@opentelemetry/*', 'rxjs'],
        logLevel: 'silent',
      });
    fs.writeFileSync(
      path.join(dir, 'esm.mjs'),
      script(
        "import * as api from '@opentelemetry/api';\nimport * as hooks from '@opentelemetry/context-async-hooks';\nimport * as otel from './otel.mjs';",
      ),
    );
    fs.writeFileSync(
      path.join(dir, 'cjs.cjs'),
      script(
        "const api = require('@opentelemetry/api');\nconst hooks = require('@opentelemetry/context-async-hooks');\nconst otel = require('./otel.cjs');",
      ),
    );
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each(['esm.mjs', 'cjs.cjs'])('loads, enriches and writes to a provider given (%s)', async (file) => {
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(dir, file)], { cwd: dir });
    expect(JSON.parse(stdout)).toEqual({
      added: { TraceId: '0af7651916cd43dd8448eb211c80319c', SpanId: 'b7ad6b7169203331', TraceFlags: 1 },
      emitted: ['hi'],
    });
  });
});
