/**
 * Safe XML parsing for answers from any device on the LAN (UPnP device descriptions, SOAP).
 * Hostile-input rules: size cap, a DOCTYPE is rejected outright (no DTD, so no entity expansion:
 * "billion laughs", external entities), fast-xml-parser runs with processEntities:false and only the
 * five predefined XML entities and numeric character references are decoded — by us, without
 * recursion. Nesting is capped; values are read through `text()`, which accepts strings only.
 */
import { XMLParser } from 'fast-xml-parser';

export const MAX_XML_BYTES = 256 * 1024;

export class XmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlError';
  }
}

export type XmlNode = { [key: string]: unknown };

const LIST_TAGS = new Set(['device', 'service', 'PortMappingEntry']);

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  processEntities: false,
  htmlEntities: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: 32,
  isArray: (name: string) => LIST_TAGS.has(name),
});

export function parseXml(xml: string, opts: { maxBytes?: number } = {}): XmlNode {
  const max = opts.maxBytes ?? MAX_XML_BYTES;
  if (xml.length > max) throw new XmlError(`XML too large (${xml.length} bytes, limit ${max})`);
  if (/<!DOCTYPE/i.test(xml) || /<!ENTITY/i.test(xml))
    throw new XmlError('XML with a DOCTYPE/ENTITY declaration is refused');
  let doc: unknown;
  try {
    doc = parser.parse(xml, true);
  } catch (err) {
    throw new XmlError(`malformed XML: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (doc === null || typeof doc !== 'object') throw new XmlError('malformed XML: no document element');
  return doc as XmlNode;
}

/** Child element `key` if it is an element (object), else null. */
export function child(node: unknown, key: string): XmlNode | null {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return null;
  if (!Object.hasOwn(node, key)) return null;
  const v = (node as XmlNode)[key];
  if (Array.isArray(v))
    return v.length > 0 && v[0] !== null && typeof v[0] === 'object' ? (v[0] as XmlNode) : null;
  return v !== null && typeof v === 'object' ? (v as XmlNode) : null;
}

/** Child elements `key` as a list (elements only). */
export function children(node: unknown, key: string): XmlNode[] {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return [];
  if (!Object.hasOwn(node, key)) return [];
  const v = (node as XmlNode)[key];
  const list = Array.isArray(v) ? v : [v];
  return list.filter((x): x is XmlNode => x !== null && typeof x === 'object' && !Array.isArray(x));
}

const MAX_TEXT = 1024;

/** Text content of child `key` (decoded, capped at `max` characters), or null if absent or not plain text. */
export function text(node: unknown, key: string, max = MAX_TEXT): string | null {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return null;
  if (!Object.hasOwn(node, key)) return null;
  const v = (node as XmlNode)[key];
  if (typeof v === 'string') return decodeEntities(v.length > max ? v.slice(0, max) : v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decodes the predefined entities and numeric references; anything else is left verbatim. */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|lt|gt|amp|quot|apos);/g, (m, ref: string) => {
    if (ref[0] !== '#') return PREDEFINED[ref] ?? m;
    const cp = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : m;
  });
}

/** Escapes text for an XML element body (SOAP arguments). */
export function escapeXml(s: string): string {
  return s.replace(
    /[<>&"']/g,
    (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', '"': 'quot', "'": 'apos' }[c]!};`,
  );
}
