import fc from 'fast-check';
import type { PropertyToken } from '../../lib/core/message-template';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { parseTemplate } from '../../lib/templates/parse-template';

// Serilog 4's PropertyBinder (src/Serilog/Capturing/PropertyBinder.cs) as a model: when every hole is positional,
// hole {n} takes argument n (of holes of one index, `{01} {1}`, the last); else the i-th hole takes the i-th argument
// (a repeated name keeps the later value) and an argument past the holes is kept as `__i`. rxlog's documented difference (docs/conformance.md): an argument no
// positional hole takes, and any argument of a template without holes, is kept as `__i` too; and where a hole is
// named `__i` itself, it keeps its argument and the extra is `__i#i` (Serilog's extra overwrites the hole's value).
function serilogBind(template: string, args: readonly string[]): Record<string, string> {
  const holes = parseTemplate(template).tokens.filter((token): token is PropertyToken => token.kind === 'property');
  const bound: Record<string, string> = {};
  const taken = new Set<number>();
  if (holes.length > 0 && holes.every((hole) => hole.position !== undefined)) {
    // An array by index: of holes of one index (`{01} {1}`), the last one's name is bound.
    const byIndex: PropertyToken[] = [];
    for (const hole of holes) byIndex[hole.position ?? -1] = hole;
    byIndex.forEach((hole, position) => {
      if (position < args.length) {
        bound[hole.name] = args[position];
        taken.add(position);
      }
    });
  } else {
    holes.slice(0, args.length).forEach((hole, i) => {
      bound[hole.name] = args[i];
      taken.add(i);
    });
  }
  args.forEach((arg, i) => {
    if (!taken.has(i)) bound[Object.hasOwn(bound, `__${i}`) ? `__${i}#${i}` : `__${i}`] = arg;
  });
  return bound;
}

describe('binding arguments to holes, as Serilog’s PropertyBinder', () => {
  const memory = new MemorySink();
  const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
  const hole = fc
    .tuple(
      fc.constantFrom('', '@', '$'),
      fc.constantFrom('0', '1', '2', '00', '01', '3', 'A', 'B', 'A.B', '_', '__1', '__0', '99999999999'),
      fc.constantFrom('', ',3', ':x'),
    )
    .map(([capture, name, rest]) => `{${capture}${name}${rest}}`);
  const template = fc
    .array(fc.oneof(hole, fc.constantFrom(' ', '{{', '}}', '{', 'x')), { maxLength: 6 })
    .map((parts) => parts.join(''));

  it('binds any template and arguments as the model does', () => {
    fc.assert(
      fc.property(template, fc.nat(5), (text, count) => {
        const args = Array.from({ length: count }, (_, i) => `v${i}`);
        memory.clear();
        log.information(text, ...args);
        expect({ ...memory.events[0].properties }).toEqual(serilogBind(text, args));
      }),
      { numRuns: 2000 },
    );
  });
});
