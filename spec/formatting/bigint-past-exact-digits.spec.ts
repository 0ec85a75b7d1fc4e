import { Readable } from 'node:stream';
import { runCli } from '../../lib/cli/run-cli';
import { CompactJsonFormatter } from '../../lib/formatting/compact-json-formatter';
import { NdjsonFormatter } from '../../lib/formatting/ndjson-formatter';
import { MAX_EXACT_INTEGER_DIGITS } from '../../lib/formatting/parse-json-exact';
import { createLogEvent } from '../../lib/templates/log-event-record';
import { TextCollector } from '../helpers/text-collector';

async function run(args: string[], stdinText: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new TextCollector();
  const stderr = new TextCollector();
  const code = await runCli(args, { stdin: Readable.from([stdinText]), stdout, stderr });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

// Every line rxlog writes is one rxlog reads: a bigint past the digits parseJsonExact reads exactly
// (4300, Python's int limit, CVE-2020-10735) is written as the string of its digits, as Serilog's
// JsonValueFormatter.FormatLiteralValue writes every BigInteger (FormatLiteralObjectValue: its ToString(), quoted).
describe('a bigint of more than 4300 digits', () => {
  const timestamp = new Date('2026-11-22T12:00:00.000Z');
  const past = -(10n ** BigInt(MAX_EXACT_INTEGER_DIGITS)) - 7n;
  const event = createLogEvent('warning', 'Big {N} {@Tree}', [past, { items: [past, 1n] }], { timestamp });

  it.each([
    ['CompactJsonFormatter', new CompactJsonFormatter({ renderMessage: true })],
    ['NdjsonFormatter', new NdjsonFormatter()],
  ])('is written by %s in a line the rxlog command reads under --strict, digits and all', async (_, formatter) => {
    const line = formatter.format(event);
    expect(line).toContain(`"-1${'0'.repeat(4299)}7"`);
    const result = await run(['--strict', '--json'], `${line}\n`);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const written = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(written.N).toBe(String(past));
    expect(written.Tree).toEqual({ items: [String(past), 1] });
    expect(written['@l']).toBe('Warning');
  });

  it('is shown by the rxlog command with its digits', async () => {
    const line = new CompactJsonFormatter().format(event);
    const result = await run(['--strict', '--template', '{Message}'], `${line}\n`);
    expect(result).toEqual({ code: 0, stderr: '', stdout: `Big ${String(past)} {"items":["${String(past)}",1]}\n` });
  });
});
