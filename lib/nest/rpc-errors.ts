import { SelfLog } from '../core/self-log';

/** Where `@MessagePattern` and `@EventPattern` (`@nestjs/microservices`) put a handler's patterns. */
const PATTERN_METADATA = 'microservices:pattern';

/** The errors microservice handlers failed with, each with its handler's pattern, for Nest's RPC filter's report. */
const patterns = new WeakMap<object, string>();

/**
 * The pattern of the microservice handler `context` calls (`@MessagePattern({ cmd: 'sum' })`,
 * `@EventPattern('order.created')`): a string as it is, anything else as JSON (`{"cmd":"sum"}`),
 * several joined by `, `; undefined for a handler without one.
 */
export function handlerPattern(context: { getHandler(): unknown }): string | undefined {
  try {
    const handler = context.getHandler();
    const read = (Reflect as { getMetadata?: (key: string, target: unknown) => unknown }).getMetadata;
    const given = typeof read === 'function' && typeof handler === 'function' ? read(PATTERN_METADATA, handler) : undefined;
    const list: unknown[] = Array.isArray(given) ? given : given === undefined ? [] : [given];
    if (list.length === 0) return undefined;
    return list.map((pattern) => (typeof pattern === 'string' ? pattern : JSON.stringify(pattern))).join(', ');
  } catch (error) {
    SelfLog.write("RxlogRequestInterceptor: a microservice handler's pattern could not be read", error);
    return undefined;
  }
}

/** Notes that a microservice handler of `pattern` failed with `error`, for Nest's report of it. */
export function noteRpcError(error: unknown, pattern: string): void {
  if ((typeof error === 'object' && error !== null) || typeof error === 'function') patterns.set(error, pattern);
}

/** The pattern of the handler that failed with `error`, when a microservice handler did. */
export function rpcErrorPattern(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? patterns.get(error) : undefined;
}
