import * as os from 'node:os';
import type { Enricher } from '../core/enricher';

/** The user the process runs as, or undefined when neither the system nor the environment names one. */
function userName(): string | undefined {
  try {
    return os.userInfo().username;
  } catch {
    // No passwd entry for the uid (a container run with an arbitrary uid, as OpenShift does):
    // the login shell's variables are all there is.
    const { USER, USERNAME, LOGNAME } = process.env;
    return USER || USERNAME || LOGNAME || undefined;
  }
}

/**
 * An enricher adding `EnvironmentUserName`, as Serilog.Enrichers.Environment names it: the user
 * the process runs as (`DOMAIN\user` on Windows, from `USERDOMAIN`), read once; every event gets
 * the same frozen object. Where the user has no name (no passwd entry and no `USER`, `USERNAME`
 * or `LOGNAME`), it adds nothing.
 *
 * @example new LoggerConfiguration().enrich.with(withEnvironmentUserName())
 */
export function withEnvironmentUserName(): Enricher {
  const user = userName();
  if (user === undefined || user === '') return () => undefined;
  const domain = process.platform === 'win32' ? process.env.USERDOMAIN : undefined;
  const properties = Object.freeze({ EnvironmentUserName: domain ? `${domain}\\${user}` : user });
  return () => properties;
}
