/**
 * SOAP 1.1 control messages of UPnP (UPnP Device Architecture 1.1 §3.2): request envelopes and
 * the parsing of action responses and UPnPError faults (errorCode, errorDescription).
 */
import { child, escapeXml, parseXml, text } from './xml.ts';

export function buildSoapEnvelope(
  serviceType: string,
  action: string,
  args: [string, string | number][],
): string {
  const body = args.map(([k, v]) => `<${k}>${escapeXml(String(v))}</${k}>`).join('');
  return (
    '<?xml version="1.0"?>\r\n' +
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">' +
    `<s:Body><u:${action} xmlns:u="${escapeXml(serviceType)}">${body}</u:${action}></s:Body></s:Envelope>\r\n`
  );
}

export type SoapResult =
  | { ok: true; values: Record<string, string> }
  | { ok: false; code: number | null; description: string | null; faultString: string | null };

/** Parses an action response or a fault. Throws on malformed XML or an unexpected body. */
export function parseSoapResponse(xml: string, action: string, opts: { maxBytes?: number } = {}): SoapResult {
  const doc = parseXml(xml, { maxBytes: opts.maxBytes });
  const body = child(child(doc, 'Envelope'), 'Body');
  if (!body) throw new Error('SOAP answer has no Envelope/Body');
  const fault = child(body, 'Fault');
  if (fault) {
    const err = child(child(fault, 'detail'), 'UPnPError');
    const codeText = text(err, 'errorCode');
    const code = codeText !== null && /^\d{1,4}$/.test(codeText) ? Number(codeText) : null;
    return {
      ok: false,
      code,
      description: text(err, 'errorDescription'),
      faultString: text(fault, 'faultstring'),
    };
  }
  const res = child(body, `${action}Response`);
  if (!res) {
    // An empty <u:ActionResponse/> parses as '' rather than an element.
    if (Object.hasOwn(body, `${action}Response`)) return { ok: true, values: {} };
    throw new Error(`SOAP answer has no ${action}Response`);
  }
  const values = Object.create(null) as Record<string, string>;
  for (const key of Object.keys(res)) {
    // Values are short, except a GetListOfPortMappings listing (a whole XML document).
    const v = text(res, key, opts.maxBytes ?? 1024);
    if (v !== null) values[key] = v;
  }
  return { ok: true, values };
}
