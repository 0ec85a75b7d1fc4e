import type { LogLevelName } from './log-level';
import type { MessageTemplate } from './message-template';

/** One structured log event: a template, its captured properties, a level and a time. */
export interface LogEvent {
  readonly timestamp: Date;
  readonly level: LogLevelName;
  /** Parsed once per distinct text, cached. */
  readonly messageTemplate: MessageTemplate;
  /** Captured values: JSON-safe data plus the scalars bigint, Date and undefined. */
  readonly properties: Readonly<Record<string, unknown>>;
  readonly exception?: Error | undefined;
  /** The template rendered with the properties; cached after the first call. */
  renderMessage(): string;
}
