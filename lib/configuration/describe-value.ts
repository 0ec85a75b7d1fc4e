/**
 * describeValue lives in core (sinks name bad options with it too); configuration code may keep
 * importing it from here.
 */
export { describeValue } from '../core/describe-value';
