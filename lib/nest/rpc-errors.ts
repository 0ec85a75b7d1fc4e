import { SelfLog } from '../core/self-log';

/** Where `@MessagePattern` and `@EventPattern` (`@nestjs/microservices`) put a handler's patterns. */
const PATTERN_METADATA = 'microservices:pattern';

/** The errors microservice handlers failed with, each with its handler's pattern, for Nest's RPC filter's report. */
const patterns = new WeakMap<object, string>();

/** The routes of each microservice handler's patterns, read once per handler. */
const handlerRoutes = new WeakMap<object, readonly string[]>();

/**
 * The pattern of the message the microservice handler `context` calls was sent with, as Nest's
 * route for it (its `transformPatternToRoute`: a string as it is, an object as JSON with its keys
 * sorted, `{"cmd":"sum","role":"math"}` for `@MessagePattern({ role: 'math', cmd: 'sum' })`,
 * whichever order the client wrote them in). A handler of several patterns
 * (`@MessagePattern(['orders.void', 'orders.cancel'])`), which Nest registers under each, has
 * the one the message came with, read from the transport's context (`getPattern()`,
 * `getSubject()`, `getChannel()`, `getTopic()`), or all of them joined by `, ` when that matches
 * none (a wildcard subscription). Undefined for a handler without one.
 */
export function handlerPattern(context: { getHandler(): unknown; getArgByIndex?(index: number): unknown }): string | undefined {
  try {
    const handler = context.getHandler();
    if (typeof handler !== 'function') return undefined;
    let routes = handlerRoutes.get(handler);
    if (routes === undefined) {
      const read = (Reflect as { getMetadata?: (key: string, target: unknown) => unknown }).getMetadata;
      const given = typeof read === 'function' ? read(PATTERN_METADATA, handler) : undefined;
      const list: unknown[] = Array.isArray(given) ? given : given === undefined ? [] : [given];
      routes = list.map((pattern) => String(patternRoute(pattern)));
      handlerRoutes.set(handler, routes);
    }
    if (routes.length < 2) return routes[0];
    const sent = messageRoute(context.getArgByIndex?.(1));
    return sent !== undefined && routes.includes(sent) ? sent : routes.join(', ');
  } catch (error) {
    SelfLog.write("RxlogRequestInterceptor: a microservice handler's pattern could not be read", error);
    return undefined;
  }
}

/** The route of the pattern a transport's context (TCP's, RMQ's, NATS', Redis', MQTT's, Kafka's) says the message came with. */
function messageRoute(transport: unknown): string | undefined {
  if (typeof transport !== 'object' || transport === null) return undefined;
  const context = transport as Record<string, unknown>;
  for (const name of ['getPattern', 'getSubject', 'getChannel', 'getTopic']) {
    const get = context[name];
    const sent: unknown = typeof get === 'function' ? get.call(transport) : undefined;
    if (typeof sent !== 'string') continue;
    // What Nest's server does with it before it looks the handler up (getRouteFromPattern).
    let pattern: unknown = sent;
    try {
      pattern = JSON.parse(sent);
    } catch {
      // A plain string is the pattern itself.
    }
    return String(patternRoute(pattern));
  }
  return undefined;
}

/** Nest's `transformPatternToRoute` (`@nestjs/microservices`), which makes the route a handler is registered and found by. */
function patternRoute(pattern: unknown, depth = 0): unknown {
  if (typeof pattern === 'string' || typeof pattern === 'number') return `${pattern}`;
  if (typeof pattern !== 'object' || pattern === null) return pattern;
  if (depth > 5) return '[MAX_DEPTH_REACHED]';
  const keys = Object.keys(pattern);
  if (keys.length > 20) return '[TOO_MANY_KEYS]';
  const parts = keys
    .sort((a, b) => a.localeCompare(b))
    .map((key) => {
      const value: unknown = (pattern as Record<string, unknown>)[key];
      const route = typeof value === 'string' ? `"${escape(value)}"` : String(patternRoute(value, depth + 1));
      return `"${escape(key)}":${route}`;
    });
  return `{${parts.join(',')}}`;
}

function escape(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/**
 * The value that is no object (a string, a number, `undefined`) a microservice handler failed with
 * last, with its pattern: such a value cannot be a key of `patterns`, and Nest's RPC filter reports
 * it in the same turn as the handler's Observable fails (the interceptor's `tap` runs just before
 * it), so it is kept until the next microtask only, one at a time.
 */
let lastValue: { readonly value: unknown; readonly pattern: string } | undefined;

/** Notes that a microservice handler of `pattern` failed with `error`, for Nest's report of it. */
export function noteRpcError(error: unknown, pattern: string): void {
  if ((typeof error === 'object' && error !== null) || typeof error === 'function') {
    patterns.set(error, pattern);
    return;
  }
  const noted = { value: error, pattern };
  lastValue = noted;
  queueMicrotask(() => {
    if (lastValue === noted) lastValue = undefined;
  });
}

/**
 * The pattern of the handler that failed with `error` (the exception, or the value Nest's RPC
 * filter reports when it is no Error: `logger.error('Out of stock')`), when a microservice handler did.
 */
export function rpcErrorPattern(error: unknown): string | undefined {
  if ((typeof error === 'object' && error !== null) || typeof error === 'function') return patterns.get(error);
  if (lastValue === undefined || !Object.is(lastValue.value, error)) return undefined;
  const { pattern } = lastValue;
  lastValue = undefined;
  return pattern;
}
