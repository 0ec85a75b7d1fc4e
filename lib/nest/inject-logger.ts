import { Inject } from '@nestjs/common';
import { describeValue } from '../core/describe-value';
import { ConfigurationError } from '../core/errors/configuration-error';
import { Logger } from '../pipeline/logger';

const contexts = new Set<string>();

/**
 * The injection token of the `SourceContext` child logger for `context`, for tests that override
 * it (`Test.createTestingModule(...).overrideProvider(getLoggerToken('Orders'))`) and for
 * injecting it without the decorator.
 */
export function getLoggerToken(context: string): string {
  return `RxlogLogger:${context}`;
}

/**
 * Injects the app's rxlog `Logger`, or with a context, a child whose events carry
 * `SourceContext: context` (as `log.forContext('SourceContext', context)`; a
 * `minimumLevel.override` for that context applies). `RxlogModule` provides one child per
 * context named anywhere in the app by the time Nest scans its modules (not in a module loaded
 * later through `LazyModuleLoader`: inject `Logger` there and call `forContext`).
 *
 * @example
 * ```ts fragment
 * constructor(@InjectLogger('Orders') private readonly log: Logger) {}
 * ```
 * @throws ConfigurationError when `context` is not a non-empty string.
 */
export function InjectLogger(context?: string): PropertyDecorator & ParameterDecorator {
  const given: unknown = context;
  if (given === undefined) return Inject(Logger);
  if (typeof given !== 'string' || given === '')
    throw new ConfigurationError(`InjectLogger: expected a non-empty context name, got ${describeValue(given)}`);
  contexts.add(given);
  return Inject(getLoggerToken(given));
}

/** Every context named by `InjectLogger` so far. */
export function injectedLoggerContexts(): readonly string[] {
  return [...contexts];
}
