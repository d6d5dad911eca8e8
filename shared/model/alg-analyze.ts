/**
 * Judging one probe exchange with the reflector: outbound = what we sent vs what the server got
 * (from the echo in the body); inbound = what the server sent (rebuilt deterministically from the
 * echo, see alg-reflect.ts) vs what we got. Pure.
 */
import type { AlgMessageResult, AlgMethod } from '../contracts/alg.ts';
import { compareSip, type FieldChange } from './alg-compare.ts';
import { decodeReflectBody, expectedReflectResponse, latin1, type ReflectContext } from './alg-reflect.ts';
import { parseSipText } from './alg-sip.ts';
import { formatEndpoint } from './endpoint.ts';

export interface ReflectionAnalysis {
  outbound: FieldChange[];
  inbound: FieldChange[];
  contentLengthConsistent: boolean;
  reflect: ReflectContext;
}

/** Null when the response is not a (recognisable) reflector response. */
export function analyzeReflection(sentText: string, responseText: string): ReflectionAnalysis | null {
  const resp = parseSipText(responseText);
  if (!resp || resp.kind !== 'response') return null;
  const reflect = decodeReflectBody(resp.body);
  if (!reflect) return null;
  const out = compareSip(sentText, latin1(reflect.received));
  const expected = expectedReflectResponse(reflect);
  const inb = expected === null ? null : compareSip(expected, responseText);
  return {
    outbound: out.changes,
    inbound: inb ? inb.changes : [],
    contentLengthConsistent: out.contentLengthConsistent && (inb ? inb.contentLengthConsistent : true),
    reflect,
  };
}

/** The contract row for one message, from the raw exchange (responseText null = no answer). */
export function messageResult(o: {
  method: AlgMethod;
  sentText: string;
  responseText: string | null;
  rttMs: number | null;
  error?: string | null;
}): AlgMessageResult {
  const base: AlgMessageResult = {
    method: o.method,
    status: 'dropped',
    sentBytes: o.sentText.length,
    receivedBytes: null,
    responseBytes: o.responseText?.length ?? null,
    outbound: [],
    inbound: [],
    contentLengthConsistent: null,
    observedSource: null,
    rttMs: o.rttMs,
    error: o.error ?? null,
    sentText: null,
    receivedText: null,
  };
  if (o.error) return { ...base, status: 'error', sentText: o.sentText };
  if (o.responseText === null) return { ...base, sentText: o.sentText };
  const a = analyzeReflection(o.sentText, o.responseText);
  if (!a) {
    return {
      ...base,
      status: 'error',
      error:
        'the answer is not a NatScope reflector response (body missing or damaged): is the target running `natscope server`?',
      sentText: o.sentText,
      receivedText: o.responseText.slice(0, 4000),
    };
  }
  const changed = a.outbound.length > 0 || a.inbound.length > 0;
  return {
    ...base,
    status: changed ? 'rewritten' : 'untouched',
    receivedBytes: a.reflect.received.length,
    outbound: a.outbound,
    inbound: a.inbound,
    contentLengthConsistent: a.contentLengthConsistent,
    observedSource: formatEndpoint(a.reflect.source),
    sentText: changed ? o.sentText : null,
    receivedText: changed ? latin1(a.reflect.received) : null,
  };
}
