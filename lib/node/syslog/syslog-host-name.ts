import { domainToASCII } from 'node:url';

/** A host name's characters: letters, marks and digits of any script, `.`, `_` and `-`. */
export const SYSLOG_HOST_NAME = /^[\p{L}\p{M}\p{N}._-]+$/u;

/**
 * A host name holding letters outside ASCII (`bücher.example`, `東京-1`) as its DNS A-labels
 * (`xn--bcher-kva.example`, IDNA's punycode, which `node:url`'s domainToASCII writes): HOSTNAME is
 * printable US-ASCII in both formats, SNI takes A-labels (RFC 6066 §3) and a certificate holds them
 * (RFC 5280 §7.2), and a collector and `dig` know the host by that name, where each such letter made
 * `_` (`b_cher.example`) names no host and two hosts alike. Any other name is kept as given, for the
 * format to sanitise: one with other characters too (a space, `/`: domainToASCII reads its input as
 * a URL's host, and gave `ü/x` as `xn--tda`, the rest dropped), and one IDNA refuses.
 */
export function asciiHostname(name: string): string {
  // eslint-disable-next-line no-control-regex -- the ASCII range itself
  return /[^\u0000-\u007f]/.test(name) && SYSLOG_HOST_NAME.test(name) ? domainToASCII(name) || name : name;
}
