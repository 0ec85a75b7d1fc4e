import { writeJson } from '../../templates/safe-json';
import { isError } from '../is-error';

/**
 * What a request's completion event carries as its exception for what a handler threw: the Error
 * itself (one from another realm too: a vm context, Node's own errors inside Jest), else a
 * `NonErrorThrown` Error whose message is the value as text (a string as it is, anything else as
 * JSON), so a thrown string or plain object is on the event as an Error is, not lost.
 */
export function thrownError(value: unknown): Error {
  if (isError(value)) return value;
  // writeJson never throws: a cycle, a bigint or a throwing getter in what was thrown must not cost the completion event.
  const error = new Error(typeof value === 'object' && value !== null ? writeJson(value) : String(value));
  error.name = 'NonErrorThrown';
  // Made where the event is written: a stack would point into rxlog, not at the code that threw.
  error.stack = `${error.name}: ${error.message}`;
  return error;
}
