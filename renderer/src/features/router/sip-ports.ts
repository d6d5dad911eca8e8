/** Ports worth highlighting in the mapping table: SIP signalling and the common RTP ranges. */
export function sipPortKind(port: number): 'sip' | 'rtp' | null {
  if (port === 5060 || port === 5061 || port === 5080 || port === 5081) return 'sip';
  // FreeSWITCH default rtp-start-port/rtp-end-port 16384-32768; Asterisk rtp.conf default 10000-20000.
  if ((port >= 10000 && port <= 20000) || (port >= 16384 && port <= 32768)) return 'rtp';
  return null;
}

export function formatDuration(seconds: number): string {
  if (seconds <= 0) return 'expired';
  const m = Math.floor(seconds / 60);
  const s = Math.floor(seconds % 60);
  return m >= 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${m}:${String(s).padStart(2, '0')}`;
}
