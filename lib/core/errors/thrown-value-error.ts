/**
 * The exception of an event logged with a thrown value that is not an Error (`throw 'timeout'`,
 * `Promise.reject(42)`): its message is `String(value)`, and its stack is that one line, since the
 * place it was made (inside the logger) says nothing about where the value was thrown.
 *
 * @example
 * try { JSON.parse(text); } catch (e) { log.error(e, 'Bad payload {Length}', text.length); }
 */
export class ThrownValueError extends Error {
  override readonly name = 'ThrownValueError';

  constructor(message: string) {
    super(message);
    this.stack = `${this.name}: ${message}`;
  }
}
