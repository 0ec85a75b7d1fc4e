import { describeValue } from '../../core/describe-value';
import { ConfigurationError } from '../../core/errors/configuration-error';

/** The syslog facility names of RFC 5424 §6.2.1 (with BSD's names), plus `security` as an alias of `auth`. */
export type SyslogFacilityName =
  | 'kern'
  | 'user'
  | 'mail'
  | 'daemon'
  | 'auth'
  | 'syslog'
  | 'lpr'
  | 'news'
  | 'uucp'
  | 'cron'
  | 'authpriv'
  | 'ftp'
  | 'ntp'
  | 'audit'
  | 'alert'
  | 'clock'
  | 'security'
  | 'local0'
  | 'local1'
  | 'local2'
  | 'local3'
  | 'local4'
  | 'local5'
  | 'local6'
  | 'local7';

const FACILITIES: Readonly<Record<SyslogFacilityName, number>> = {
  kern: 0,
  user: 1,
  mail: 2,
  daemon: 3,
  auth: 4,
  security: 4,
  syslog: 5,
  lpr: 6,
  news: 7,
  uucp: 8,
  cron: 9,
  authpriv: 10,
  ftp: 11,
  ntp: 12,
  audit: 13,
  alert: 14,
  clock: 15,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
};

/**
 * The numeric code (0–23) of a syslog facility given by name (any case) or by number.
 *
 * @throws ConfigurationError naming the value when it is neither a facility name nor an integer 0–23.
 * @example syslogFacility('local3') // 19
 */
export function syslogFacility(facility: SyslogFacilityName | number | string): number {
  if (typeof facility === 'number') {
    if (Number.isInteger(facility) && facility >= 0 && facility <= 23) return facility;
  } else if (typeof facility === 'string') {
    const key = facility.trim().toLowerCase();
    if (Object.prototype.hasOwnProperty.call(FACILITIES, key)) return FACILITIES[key as SyslogFacilityName];
  }
  // String() throws on Object.create(null); describeValue names any value.
  const shown =
    typeof facility === 'string' || typeof facility === 'number' ? JSON.stringify(String(facility)) : describeValue(facility);
  throw new ConfigurationError(
    `SyslogSink: unknown facility ${shown} (expected a name such as user, daemon, local0 … local7, or an integer 0–23)`,
  );
}
