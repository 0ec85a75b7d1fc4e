/**
 * The content type of CLEF, newline-delimited compact JSON, as Seq names it.
 *
 * In a file of its own, not HttpSink's: esbuild keeps a class whose members have computed keys it
 * cannot prove pure (HttpSink's `[GIVEN_UP]`), so a constant next to it brought the whole sink into
 * a bundle that imported only the constant.
 */
export const CLEF_CONTENT_TYPE = 'application/vnd.serilog.clef';
