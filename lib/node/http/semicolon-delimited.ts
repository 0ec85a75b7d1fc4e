import { SelfLog } from '../../core/self-log';

/**
 * Whether a Fastify app reads a `;` as the start of the query string (`useSemicolonDelimiter`,
 * given to Fastify or in its `routerOptions`), from its `initialConfig`. Options that cannot be
 * read are told to SelfLog, naming `where`, and read as false: a `;` in a path is then logged as sent.
 */
export function semicolonDelimited(instance: unknown, where: string): boolean {
  try {
    const config = (instance as { initialConfig?: unknown } | null | undefined)?.initialConfig as
      { useSemicolonDelimiter?: unknown; routerOptions?: { useSemicolonDelimiter?: unknown } } | undefined;
    return config?.routerOptions?.useSemicolonDelimiter === true || config?.useSemicolonDelimiter === true;
  } catch (error) {
    SelfLog.write(`${where}: Fastify's options could not be read; a ';' in a path is logged as sent`, error);
    return false;
  }
}
