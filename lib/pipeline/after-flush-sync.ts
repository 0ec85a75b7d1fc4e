/**
 * Internal, for installProcessHooks; not part of the public API. `log[AFTER_FLUSH_SYNC](listener)`
 * calls `listener` after every later `flushSync()` of the logger's pipeline (made through any
 * logger that shares it), so the report the hooks write at process exit follows what an app's own
 * `flushSync()` in a later `exit` listener wrote. One listener per pipeline: a second replaces the
 * first. A global symbol, so the hooks of one copy of rxlog (its ES module or CommonJS build) find
 * it on a logger of the other.
 *
 * @internal
 */
export const AFTER_FLUSH_SYNC: unique symbol = Symbol.for('rxlog.afterFlushSync');
