/**
 * What reaches the user's terminal. Router names, mapping descriptions, SIP reason phrases and the
 * like come from the network, and a string carrying ESC sequences could set the terminal title,
 * clear the screen or forge output. Human output therefore shows every control character as a
 * visible escape (`\x1b`); `--json` output stays exact JSON (DEL and C1 controls, which
 * JSON.stringify leaves raw, are written as \u escapes: same value, inert on a terminal).
 */

// C0 controls except tab and line feed, DEL, C1 controls, and the bidirectional overrides that can
// make text display in another order than it reads (Trojan Source, CVE-2021-42574).
/* eslint-disable no-control-regex -- matching control characters is what these are for */
const UNSAFE_IN_TEXT =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_IN_CELL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const RAW_IN_JSON = /[\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/* eslint-enable no-control-regex */

function visible(c: string): string {
  const n = c.charCodeAt(0);
  if (c === '\r') return '\\r';
  if (c === '\n') return '\\n';
  if (c === '\t') return '\\t';
  return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
}

/** Multi-line human output: line feeds and tabs stay, every other control is shown escaped. */
export function terminalSafe(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(UNSAFE_IN_TEXT, visible);
}

/** One value in a table cell or a "Label: value" line: line breaks are shown escaped as well. */
export function cellSafe(text: string): string {
  return text.replace(UNSAFE_IN_CELL, visible);
}

/** A JSON document: still valid JSON with the same values, with nothing a terminal acts on. */
export function jsonTerminalSafe(json: string): string {
  return json.replace(RAW_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
