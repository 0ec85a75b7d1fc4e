import type { LevelReader } from '../core/level-switch';
import type { BoundProperties } from './bound-properties';
import type { LoggerPipeline } from './logger-pipeline';

/** What a Logger is made of: its pipeline, its bound properties, its level. */
export type LoggerParts = readonly [LoggerPipeline, BoundProperties | undefined, LevelReader];

/**
 * Internal, for bindRedacted (the ingest handler); not part of the public API.
 * `log[LOGGER_PARTS]()` returns the logger's {@link LoggerParts}. A global symbol, so a helper of
 * one copy of rxlog (its ES module or CommonJS build) finds it on a logger of the other.
 *
 * @internal
 */
export const LOGGER_PARTS: unique symbol = Symbol.for('rxlog.loggerParts');
