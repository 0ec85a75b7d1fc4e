import type { ModulesContainer } from '@nestjs/core';
import { SelfLog, type SelfLogEvent } from '../../lib/core/self-log';
import { shutDownLast } from '../../lib/nest/shut-down-last';

// Nest's real ordering is held by spec/nest/rxlog-module.spec.ts (a Nest 12 app in a child
// process); this covers the function on Nest's module records.
class RxlogLike {}
class Other {}

describe('shutDownLast', () => {
  it("gives the module's records the largest distance, so Nest calls their shutdown hooks after every other module's", () => {
    const records = [
      { metatype: Other, distance: Number.MAX_VALUE },
      { metatype: RxlogLike, distance: Number.MAX_VALUE },
      { metatype: Other, distance: 1 },
    ];
    shutDownLast(new Map(records.map((r, i) => [String(i), r])) as unknown as ModulesContainer, RxlogLike);
    expect(records.map((r) => r.distance)).toEqual([Number.MAX_VALUE, Infinity, 1]);
    // Nest sorts by distance, largest first, and reverses that for shutdown hooks.
    const shutdownOrder = [...records].sort((a, b) => b.distance - a.distance).reverse();
    expect(shutdownOrder[shutdownOrder.length - 1].metatype).toBe(RxlogLike);
  });

  it('reports to SelfLog instead of throwing when the records cannot be changed', () => {
    const diagnostics: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((d) => diagnostics.push(d));
    const frozen = Object.freeze({ metatype: RxlogLike, distance: 2 });
    try {
      expect(() => shutDownLast(new Map([['0', frozen]]) as unknown as ModulesContainer, RxlogLike)).not.toThrow();
    } finally {
      subscription.unsubscribe();
    }
    expect(diagnostics.map((d) => d.message)).toEqual([expect.stringContaining('could not order its shutdown hook')]);
  });
});
