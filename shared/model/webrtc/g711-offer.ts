/**
 * The WebRTC echo offers G.711 only (PCMU, PCMA, plus telephone-event), so the call measures the
 * same codec the SIP echo uses and MOS comes from the same E-model inputs (G.113 Appendix I). RFC
 * 3264 §5.1: the m= line lists the payload types offered; their a=rtpmap/a=fmtp/a=rtcp-fb lines go
 * with them. A browser may drop codecs from its own offer before setLocalDescription.
 */
const KEEP = /^(PCMU|PCMA)\/8000$|^telephone-event\/8000$/i;

export function keepG711(sdp: string): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(/\r?\n/);
  const out: string[] = [];
  let inAudio = false;
  let drop = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('m=')) {
      inAudio = line.startsWith('m=audio ');
      drop = new Set();
      if (inAudio) {
        const section = sectionOf(lines, i);
        const rtpmap = new Map<string, string>();
        for (const l of section) {
          const m = /^a=rtpmap:(\d+) (\S+)/.exec(l);
          if (m) rtpmap.set(m[1]!, m[2]!);
        }
        const [head, pts] = splitMLine(line);
        const keep = pts.filter((pt) => KEEP.test(rtpmap.get(pt) ?? staticName(pt)));
        for (const pt of pts) if (!keep.includes(pt)) drop.add(pt);
        if (keep.length > 0) {
          out.push([...head, ...keep].join(' '));
          continue;
        }
        drop.clear(); // nothing G.711 offered: leave the section as the browser made it
      }
      out.push(line);
      continue;
    }
    if (inAudio && drop.size > 0) {
      const pt = /^a=(?:rtpmap|fmtp|rtcp-fb):(\d+)[ \t]/.exec(line)?.[1];
      if (pt && drop.has(pt)) continue;
    }
    out.push(line);
  }
  return out.join(eol);
}

function sectionOf(lines: string[], start: number): string[] {
  const end = lines.findIndex((l, j) => j > start && l.startsWith('m='));
  return lines.slice(start + 1, end < 0 ? lines.length : end);
}

function splitMLine(line: string): [string[], string[]] {
  const parts = line.split(' ');
  return [parts.slice(0, 3), parts.slice(3)];
}

/** RFC 3551 static payload types that may appear without an rtpmap line. */
function staticName(pt: string): string {
  return pt === '0' ? 'PCMU/8000' : pt === '8' ? 'PCMA/8000' : '';
}
