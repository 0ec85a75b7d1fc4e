import { Inject } from '@nestjs/common';
import { describeValue } from '../core/describe-value';
import { ConfigurationError } from '../core/errors/configuration-error';
import { SelfLog } from '../core/self-log';
import { Logger } from '../pipeline/logger';

const contexts = new Set<string>();

/**
 * Most contexts `getLoggerToken` names of its own (beside those of `InjectLogger`): a name made at
 * run time (a tenant's, on every request) must not grow the list for the process's lifetime.
 */
const MAX_TOKEN_CONTEXTS = 1_000;
let tokenContexts = 0;

/**
 * The injection token of the `SourceContext` child logger for `context`, for injecting it without
 * the decorator (`inject: [getLoggerToken('Jobs')]` in a factory provider, or in another module's
 * `forRootAsync`) and for tests that override it
 * (`Test.createTestingModule(...).overrideProvider(getLoggerToken('Orders'))`). Naming a context
 * here has `RxlogModule` provide its child, as `@InjectLogger` does, when it is named by the time
 * Nest scans the modules (a module's metadata is; an `app.get(getLoggerToken(...))` after
 * `NestFactory.create` is not).
 *
 * @throws ConfigurationError when `context` is not a non-empty string.
 */
export function getLoggerToken(context: string): string {
  const name = checkedContext('getLoggerToken', context);
  if (!contexts.has(name))
    if (tokenContexts < MAX_TOKEN_CONTEXTS) {
      tokenContexts++;
      contexts.add(name);
    } else if (tokenContexts++ === MAX_TOKEN_CONTEXTS)
      SelfLog.write(
        'getLoggerToken: more than {Limit} contexts named; {Context} and later ones get no provider from RxlogModule',
        MAX_TOKEN_CONTEXTS,
        name,
      );
  return tokenOf(name);
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
  if (context === undefined) return Inject(Logger);
  const name = checkedContext('InjectLogger', context);
  contexts.add(name);
  return Inject(tokenOf(name));
}

/** Every context named by `InjectLogger` or `getLoggerToken` so far. */
export function injectedLoggerContexts(): readonly string[] {
  return [...contexts];
}

/** The token of a context's child, as `RxlogModule` provides it. */
export function tokenOf(context: string): string {
  return `RxlogLogger:${context}`;
}

/** `context` as a context name. @throws ConfigurationError naming `caller` when it is not a non-empty string. */
function checkedContext(caller: string, context: unknown): string {
  if (typeof context !== 'string' || context === '')
    throw new ConfigurationError(`${caller}: expected a non-empty context name, got ${describeValue(context)}`);
  return context;
}
