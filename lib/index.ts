// The public, browser-safe entry of rxlog. Every export is named here, so the public surface is
// visible in one file.
export { LogLevel, LOG_LEVELS, parseLevel, levelValue, isLevelName } from './core/log-level';
export type { LogLevelName } from './core/log-level';
export type { LogEvent } from './core/log-event';
export type { MessageTemplate, TemplateToken, TextToken, PropertyToken, Capturing } from './core/message-template';
export type { Sink, Formatter } from './core/sink';
export { ConfigurationError } from './core/errors/configuration-error';
export { LevelSwitch } from './core/level-switch';
export { SelfLog } from './core/self-log';
export type { SelfLogEvent, SelfLogOutput } from './core/self-log';
export { unrefScheduler } from './core/unref-scheduler';
export type { SinkMetrics, LoggerMetrics, LatencySummary, BreakerStateName } from './metrics/metrics-types';
