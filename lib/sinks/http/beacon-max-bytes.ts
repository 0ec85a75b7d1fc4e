/**
 * Largest body of one beacon, in bytes: under the 64 KiB keepalive quota, with room for a small
 * request still in flight. In a file of its own, as `CLEF_CONTENT_TYPE` is (see clef-content-type.ts):
 * importing it brings no HttpSink.
 */
export const BEACON_MAX_BYTES = 60 * 1024;
