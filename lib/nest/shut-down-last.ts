import type { ModulesContainer } from '@nestjs/core';
import { SelfLog } from '../core/self-log';

/**
 * Makes Nest call `moduleClass`'s lifecycle hooks last on the way out (`onModuleDestroy`,
 * `beforeApplicationShutdown`, `onApplicationShutdown`), after every other module's, global ones
 * included. Nest orders those hooks by each module's distance from the root, nearest first, and
 * gives every global module the same largest finite distance, so a global module's place among
 * the others would otherwise depend on import order. Must run before the application
 * initializes (from a provider's factory), when Nest sorts the modules once.
 */
export function shutDownLast(modules: ModulesContainer, moduleClass: abstract new (...args: never[]) => unknown): void {
  try {
    for (const moduleRef of modules.values()) if (moduleRef.metatype === moduleClass) moduleRef.distance = Infinity;
  } catch (error) {
    SelfLog.write('RxlogModule: could not order its shutdown hook after the other modules', error);
  }
}
