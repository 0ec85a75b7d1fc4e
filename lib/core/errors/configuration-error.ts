/** A configuration mistake, thrown at build time with the offending value in its message. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}
