/** What one call of a Nest `LoggerService` method carries, sorted out as Nest's `ConsoleLogger` reads it. */
export interface NestLogCall {
  /** The first argument: a string, an Error or any value. */
  readonly message: unknown;
  /** The trailing string argument that names the caller (`'NestFactory'`, `'OrdersService'`), if any. */
  readonly context?: string | undefined;
  /** A stack trace passed as text (`error(message, stack, context)`), if any. */
  readonly stack?: string | undefined;
  /** The other arguments, in order. */
  readonly params: readonly unknown[];
}

// Nest's own test for "this string is a stack trace" ([ \t]+ rather than \s+ avoids quadratic backtracking).
const STACK_FORMAT = /\n[ \t]+at .+:\d+:\d+/;

/** Whether `value` is what Nest's `ConsoleLogger` takes for a stack trace (`undefined` too, in second place). */
export function isStackFormat(value: unknown): boolean {
  return value === undefined || (typeof value === 'string' && STACK_FORMAT.test(value));
}

function splitContext(args: readonly unknown[]): { context?: string; rest: readonly unknown[] } {
  if (args.length <= 1) return { rest: args };
  const last = args[args.length - 1];
  return typeof last === 'string' ? { context: last, rest: args.slice(0, -1) } : { rest: args };
}

/**
 * Sorts the arguments of a Nest `LoggerService` call into message, context, stack and the rest,
 * with the rules Nest's `ConsoleLogger` applies: a trailing string is the context; for `error` and
 * `fatal`, a string that looks like a stack trace (or `undefined`) in second or last place is the
 * stack, and so is a string (or `undefined`) last among the other arguments once plain objects are
 * set aside, so `Logger.error(message, stack, context)`, `logger.error(message, undefined, context)`
 * and `logger.error(message, stack, { orderId }, context)` read as they are meant.
 */
export function readNestLogCall(message: unknown, optionalParams: readonly unknown[], withStack: boolean): NestLogCall {
  const args = [message, ...optionalParams];
  if (!withStack || args.length === 1) return fromSplit(message, splitContext(args));
  if (args.length === 2) {
    if (isStackFormat(args[1])) return nestCall(message, [], undefined, asStack(args[1]));
    return fromSplit(message, splitContext(args));
  }
  const trailing = args[args.length - 1];
  if (typeof trailing === 'string' && STACK_FORMAT.test(trailing)) {
    const { context, rest } = splitContext(args.slice(0, -1));
    return nestCall(message, rest.slice(1), context, trailing);
  }
  const { context, rest } = splitContext(args);
  const params = rest.slice(1);
  // ConsoleLogger sets plain objects aside (its structured params) before it takes the last of the
  // other arguments as the stack, so error(message, stack, { orderId }, context) has its stack.
  let last = params.length - 1;
  while (last >= 0 && isPlainObject(params[last])) last--;
  const candidate = last >= 0 ? params[last] : null;
  if (typeof candidate === 'string' || candidate === undefined) {
    return nestCall(
      message,
      params.filter((_, i) => i !== last),
      context,
      asStack(candidate),
    );
  }
  return nestCall(message, params, context, undefined);
}

/** Whether `value` is an object literal (or has no prototype): what Nest's `ConsoleLogger` reads as structured params. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function fromSplit(message: unknown, split: { context?: string; rest: readonly unknown[] }): NestLogCall {
  return nestCall(message, split.rest.slice(1), split.context, undefined);
}

/**
 * One call, made as one literal with every field (so every call has one shape), not a spread
 * copy given its context or stack afterwards: V8 adds a name to an object a spread made on a slow
 * path, several microseconds per call.
 */
function nestCall(
  message: unknown,
  params: readonly unknown[],
  context: string | undefined,
  stack: string | undefined,
): NestLogCall {
  return { message, context, stack, params };
}

function asStack(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
