import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { LogContext } from '../../lib/context/log-context';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { CompactJsonFormatter } from '../../lib/formatting/compact-json-formatter';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { collectSelfLog } from '../helpers/self-log';

class Card {
  constructor(
    readonly holder: string,
    readonly number: string,
  ) {}
}

class GoldCard extends Card {}

/** A card as it may be logged: the holder and the last four digits. */
const masked = (card: Card): Record<string, unknown> => ({ holder: card.holder, last4: card.number.slice(-4) });

function loggerWith(configure: (c: LoggerConfiguration) => LoggerConfiguration): {
  log: ReturnType<LoggerConfiguration['createLogger']>;
  memory: MemorySink;
} {
  const memory = new MemorySink();
  const log = configure(new LoggerConfiguration().enrich.fromLogContext()).writeTo.sink(memory).createLogger();
  return { log, memory };
}

describe('LoggerConfiguration.destructure.byTransforming', () => {
  it('captures an instance of the type, a subclass too, as what the transform returns, with @ and without, at any depth', () => {
    const { log, memory } = loggerWith((c) => c.destructure.byTransforming(Card, masked));
    const card = new Card('ann', '4111111111111111');
    log.information('{@Card} {Plain} {@Order}', card, new GoldCard('bob', '5500000000000004'), {
      id: 7,
      payments: [{ card }],
    });
    expect(memory.events[0].properties).toEqual({
      Card: { holder: 'ann', last4: '1111' },
      Plain: { holder: 'bob', last4: '0004' },
      Order: { id: 7, payments: [{ card: { holder: 'ann', last4: '1111' } }] },
    });
    expect(new CompactJsonFormatter().format(memory.events[0])).not.toContain('4111111111111111');
  });

  it('transforms child-logger properties, LogContext values and the data of a thrown object that is no Error', () => {
    const { log, memory } = loggerWith((c) => c.destructure.byTransforming(Card, masked));
    const card = new Card('ann', '4111111111111111');
    LogContext.run({ Paying: card }, () => log.forContext('Card', card).error({ card }, 'Declined'));
    const event = memory.events[0];
    expect(event.properties).toEqual({ Card: { holder: 'ann', last4: '1111' }, Paying: { holder: 'ann', last4: '1111' } });
    const line = new CompactJsonFormatter().format(event);
    expect(line).toContain('"last4":"1111"');
    expect(line).not.toContain('4111111111111111');
  });

  it('leaves {$Name} as String(value), and a logger without transforms captures the instance as before', () => {
    const { log, memory } = loggerWith((c) => c.destructure.byTransforming(Card, masked));
    const card = new Card('ann', '4111');
    log.information('{$Card}', card);
    const plain = loggerWith((c) => c);
    plain.log.information('{@Card}', card);
    expect(memory.events[0].properties).toEqual({ Card: '[object Object]' });
    expect(plain.memory.events[0].properties).toEqual({ Card: { holder: 'ann', number: '4111' } });
  });

  it('captures the result in structure and within the same limits', () => {
    class Box {
      constructor(readonly inner: unknown) {}
    }
    const { log, memory } = loggerWith((c) =>
      c.destructure.toMaximumStringLength(5).destructure.byTransforming(Card, (card) => new Box({ who: card.holder })),
    );
    log.information('{Card}', new Card('annabel', '4111'));
    expect(memory.events[0].properties).toEqual({ Card: { inner: { who: 'annab…[truncated 2 chars]' } } });
  });

  it('does not loop on a transform that returns its own type, and applies each transform once at a place', () => {
    let calls = 0;
    const { log, memory } = loggerWith((c) =>
      c.destructure
        .byTransforming(Card, (card) => {
          calls++;
          return new Card(card.holder.toUpperCase(), '****');
        })
        .destructure.byTransformingWhere(
          (value) => value instanceof Map,
          () => new Card('from-map', '0000'),
        ),
    );
    log.information('{@Card} {@Map}', new Card('ann', '4111'), new Map([['a', 1]]));
    expect(memory.events[0].properties).toEqual({
      Card: { holder: 'ANN', number: '****' },
      // The Map's transform made a Card, which the Card transform then took, once.
      Map: { holder: 'FROM-MAP', number: '****' },
    });
    expect(calls).toBe(2);
  });

  it('transforms the members of what a transform returns, as deep as the depth limit', () => {
    class Node {
      constructor(readonly next?: Node) {}
    }
    const { log, memory } = loggerWith((c) =>
      c.destructure.toMaximumDepth(3).destructure.byTransforming(Node, (node) => ({ kind: 'node', next: node.next ?? null })),
    );
    log.information('{N}', new Node(new Node(new Node(new Node()))));
    expect(memory.events[0].properties).toEqual({
      N: { kind: 'node', next: { kind: 'node', next: { kind: 'node', next: '[MaxDepth]' } } },
    });
    // A transform that wraps its own value again ends at the depth limit too, not in a loop.
    const wrapping = loggerWith((c) => c.destructure.byTransforming(Node, (node) => ({ again: node })));
    wrapping.log.information('{N}', new Node());
    let depth = 0;
    for (let v = wrapping.memory.events[0].properties.N; typeof v === 'object' && v !== null; v = (v as { again: unknown }).again)
      depth++;
    expect(depth).toBe(10);
  });

  it('captures a transform or predicate that throws as a marker, tells SelfLog, and still logs the call', () => {
    const { log, memory } = loggerWith((c) =>
      c.destructure
        .byTransforming(Card, () => {
          throw new Error('no card for you');
        })
        .destructure.byTransformingWhere(
          (value) =>
            'explode' in value &&
            (() => {
              throw new Error('predicate broke');
            })(),
          (value) => value,
        ),
    );
    const selfLog = collectSelfLog();
    expect(() => log.information('{@Card} {@Other} {Fine}', new Card('ann', '4111'), { explode: 1 }, { ok: 1 })).not.toThrow();
    selfLog.stop();
    expect(memory.events[0].properties).toEqual({
      Card: '[Throws: no card for you]',
      Other: '[Throws: predicate broke]',
      Fine: { ok: 1 },
    });
    expect(selfLog.diagnostics.map((d) => [d.template, d.args[0]])).toEqual([
      ['Capturing {What} threw {Message}; captured as a marker', 'a transform'],
      ['Capturing {What} threw {Message}; captured as a marker', 'a transform'],
    ]);
  });

  it('types the transform by the class and by a type guard', () => {
    const isCard = (value: unknown): value is Card => value instanceof Card;
    const { log, memory } = loggerWith((c) => c.destructure.byTransformingWhere(isCard, (card) => ({ holder: card.holder })));
    log.information('{@Card}', new Card('ann', '4111'));
    expect(memory.events[0].properties).toEqual({ Card: { holder: 'ann' } });
  });

  it('throws a ConfigurationError at build time naming a bad type, predicate or transform', () => {
    const c = new LoggerConfiguration();
    const arrow = (() => Card) as unknown as typeof Card;
    expect(() => c.destructure.byTransforming(arrow, masked)).toThrow(
      new ConfigurationError('destructure.byTransforming: expected a class as the type, got function arrow'),
    );
    expect(() => c.destructure.byTransforming('Card' as unknown as typeof Card, masked)).toThrow(
      /^destructure\.byTransforming: expected a class as the type, got "Card"$/,
    );
    expect(() => c.destructure.byTransforming(Card, null as unknown as typeof masked)).toThrow(
      /^destructure\.byTransforming: expected a transform function, got null$/,
    );
    expect(() => c.destructure.byTransformingWhere(undefined as unknown as () => boolean, masked)).toThrow(
      /^destructure\.byTransformingWhere: expected a predicate function, got undefined$/,
    );
    c.createLogger();
    expect(() => c.destructure.byTransforming(Card, masked)).toThrow(/already created its logger/);
  });
});
