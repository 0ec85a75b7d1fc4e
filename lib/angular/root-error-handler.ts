import { ErrorHandler, inject, InjectionToken } from '@angular/core';

/**
 * The ErrorHandler of the root injector, the one Angular hands uncaught errors to, from wherever it
 * is injected (a lazy route's injector included, whose own ErrorHandler Angular never calls); absent
 * in an injector tree without a root scope.
 */
export const ROOT_ERROR_HANDLER = new InjectionToken<ErrorHandler | null>('rxlog ErrorHandler of the root injector', {
  providedIn: 'root',
  factory: () => inject(ErrorHandler, { optional: true }),
});
