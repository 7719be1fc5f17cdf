/**
 * Fast reading of the hottest record kinds. Packets and request spans are most of a trace, and JSON.parse
 * of each, kept as objects, costs more time and memory than a million-record trace can afford in a browser.
 * The simulator writes them in one canonical shape (sim/core/trace.ts encodeRecord: fixed member order, sorted
 * field keys, no white space), so an anchored regular expression per kind both checks a line and takes the
 * values the model needs; the record itself is parsed again only when a view asks for it.
 *
 * A pattern matches only lines that are valid JSON: strings without escapes or control characters, numbers in
 * JSON's grammar. Any line that does not match (another kind, an escape, an extra member) takes the general
 * path: JSON.parse and checkRecord. So this is a shortcut, never a second, looser parser.
 *
 * API:
 *   kindOfLine(line)   the kind of a canonical line, or null (then: the general path)
 *   SCANNERS           kind → anchored RegExp with the captures listed beside it
 */
const NUM = '(-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)';
const STR = '([^"\\\\\\u0000-\\u001f]*)';
/** The same without a capture: checked, not taken (every capture is a string allocated per line). */
const NUM_ = NUM.replace('(', '(?:');
const STR_ = STR.replace('(', '(?:');
const HEAD = (kind: string) => `^\\{"t":${NUM},"kind":"${kind.replace('.', '\\.')}","host":"${STR}"`;

/** Captures: 1 t, 2 host, 3 id, 4 len. */
export const PKT_RECV = new RegExp(`${HEAD('pkt.recv')},"fields":\\{"id":${NUM},"len":${NUM}\\}\\}$`);
/** Captures: 1 t, 2 host, 3 dst, 4 flags, 5 id, 6 len (the rest is checked, not taken). */
export const PKT_SEND_TCP = new RegExp(
  `${HEAD('pkt.send')},"fields":\\{"ack":${NUM_},"dst":"${STR}","flags":"${STR}","id":${NUM},"len":${NUM},"proto":"tcp","seq":${NUM_},"src":"${STR_}","win":${NUM_}\\}\\}$`,
);
/** Captures: 1 t, 2 host, 3 dst, 4 id, 5 len. */
export const PKT_SEND_UDP = new RegExp(`${HEAD('pkt.send')},"fields":\\{"dst":"${STR}","id":${NUM},"len":${NUM},"proto":"udp","src":"${STR_}"\\}\\}$`);
/** Captures: 1 t, 2 host, 3 id, 4 reason, 5 to. */
export const PKT_DROP = new RegExp(`${HEAD('pkt.drop')},"fields":\\{"id":${NUM},"reason":"${STR}","to":"${STR}"\\}\\}$`);
/** Captures: 1 t, 2 host, 3 req. */
export const REQ_SPAN = new RegExp(`${HEAD('req.span')},"req":"${STR}","fields":\\{"attempt":${NUM_}(?:,"endUs":${NUM_})?,"phase":"${STR_}","startUs":${NUM_}\\}\\}$`);
/** Captures: 1 t, 2 host, 3 conn, 4 from, 5 to. */
export const TCP_STATE = new RegExp(`${HEAD('tcp.state')},"conn":"${STR}","fields":\\{"from":"${STR}","to":"${STR}"\\}\\}$`);

/** A JSON number or string (unescaped), or a literal, captured nowhere: a flat record's field value. */
const VALUE = '(?:-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|"[^"\\\\\\u0000-\\u001f]*"|true|false|null)';
const NAME = '"[^"\\\\\\u0000-\\u001f]*"';
const ID = `(?:${NAME}|-?(?:0|[1-9][0-9]*))`;
/**
 * Any canonical record whose fields are flat (numbers, plain strings, literals): the records a view shows but
 * the model only files (HTTP exchanges, queries, gateway tries …). Captures: 1 t, 2 kind, 3 host, 4 actor
 * (3 and 4 undefined when absent).
 */
export const FLAT = new RegExp(
  `^\\{"t":${NUM},"kind":"${STR}"(?:,"host":"${STR}")?(?:,"actor":"${STR}")?(?:,"conn":${ID})?(?:,"req":${ID})?(?:,"fields":\\{(?:${NAME}:${VALUE}(?:,${NAME}:${VALUE})*)?\\})?\\}$`,
);

const KIND_AT = '{"t":'.length;
const KIND_KEY = ',"kind":"';

/** The kind of a line that starts the canonical way ('{"t":…,"kind":"…"'), without parsing the rest. */
export function kindOfLine(line: string): string | null {
  if (!line.startsWith('{"t":')) return null;
  const k = line.indexOf(KIND_KEY, KIND_AT);
  if (k < 0) return null;
  const from = k + KIND_KEY.length;
  const to = line.indexOf('"', from);
  return to < 0 ? null : line.slice(from, to);
}
