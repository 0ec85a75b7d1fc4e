import type { Provider } from '@angular/core';

/** What a `provideRxlog` feature adds; one value per `withX()` function. */
export type RxlogFeatureKind = 'error-handler' | 'http-logging' | 'router-context';

/**
 * A feature of `provideRxlog`, as Angular's `provideHttpClient` features are shaped: a kind and
 * the providers it contributes. Made by `withErrorHandler()`, `withHttpLogging()` and
 * `withRouterContext()`.
 */
export interface RxlogFeature<TKind extends RxlogFeatureKind = RxlogFeatureKind> {
  readonly kind: TKind;
  readonly providers: readonly Provider[];
}

/** Builds a feature object. */
export function rxlogFeature<TKind extends RxlogFeatureKind>(kind: TKind, providers: readonly Provider[]): RxlogFeature<TKind> {
  return { kind, providers };
}
