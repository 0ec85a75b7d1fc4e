// Angular environment injectors for the rxlog/angular specs, run by Node's test runner (Angular's
// packages are ES modules, which jest's CommonJS runtime cannot load).
import '@angular/compiler'; // Angular's packages declare their classes for the JIT linker
import {
  createEnvironmentInjector,
  type EnvironmentInjector,
  type EnvironmentProviders,
  platformCore,
  type Provider,
  runInInjectionContext,
  ɵINJECTOR_SCOPE as INJECTOR_SCOPE,
} from '@angular/core';
import type { LogEvent } from '../../lib/index';

/** A root environment injector with these providers (under the core platform, without an application), scoped as an app's root injector is. */
export function testInjector(providers: (Provider | EnvironmentProviders)[]): EnvironmentInjector {
  return createEnvironmentInjector(
    [{ provide: INJECTOR_SCOPE, useValue: 'root' }, ...providers],
    platformCore().injector as EnvironmentInjector,
    'test',
  );
}

/** Runs `fn` in the injector's injection context. */
export function within<T>(injector: EnvironmentInjector, fn: () => T): T {
  return runInInjectionContext(injector, fn);
}

/** The properties of an event, with its level and rendered message, for compact assertions. */
export function summary(event: LogEvent): Record<string, unknown> {
  return { level: event.level, message: event.renderMessage(), ...event.properties };
}
