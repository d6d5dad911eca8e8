/**
 * Which routers sit on the first hops towards a server: one ICMP echo per TTL (1, 2, 3…), and the
 * address of the router that answers "Time to live exceeded" (RFC 792 type 11). Node has no raw
 * or error-queue sockets, so this drives the system's `ping`, whose TTL flag differs per OS.
 * A hop in 100.64.0.0/10 (RFC 6598) beyond your own router is the signature of carrier-grade NAT.
 */
export interface Hop {
  ttl: number;
  /** The answering router, or null when it stayed silent (common: many routers rate-limit ICMP). */
  address: string | null;
}

export type RunPing = (args: string[], timeoutMs: number) => Promise<string>;

export function pingArgs(platform: NodeJS.Platform, target: string, ttl: number): string[] {
  switch (platform) {
    case 'win32':
      return ['-n', '1', '-i', String(ttl), '-w', '1000', target];
    case 'darwin':
    case 'freebsd':
      return ['-n', '-c', '1', '-m', String(ttl), '-t', '1', target];
    default:
      return ['-n', '-c', '1', '-t', String(ttl), '-W', '1', target];
  }
}

/**
 * Parses one ping's output: "From 100.64.0.1 icmp_seq=1 Time to live exceeded" (Linux),
 * "92 bytes from 100.64.0.1: Time to live exceeded" (macOS), "Reply from 100.64.0.1: TTL expired in
 * transit." (Windows), or an echo reply from the target itself.
 */
export function parseHop(output: string): string | null {
  const patterns = [
    /From ([0-9a-f.:]+)(?: \([^)]*\))?:? .*(?:Time to live exceeded|TTL expired)/i,
    /bytes from ([0-9a-f.:]+): .*Time to live exceeded/i,
    /Reply from ([0-9a-f.:]+): TTL expired/i,
    /bytes from ([0-9a-f.:]+)(?: \([^)]*\))?: icmp_seq/i,
    /Reply from ([0-9a-f.:]+): bytes=/i,
  ];
  for (const re of patterns) {
    const m = re.exec(output);
    if (m) return m[1]!.replace(/:$/, '');
  }
  return null;
}

/** Probes TTL 1..maxHops in parallel (each waits at most ~1 s); stops listing after the target answers. */
export async function probeHops(
  target: string,
  run: RunPing,
  platform: NodeJS.Platform,
  maxHops = 4,
): Promise<Hop[]> {
  const ttls = Array.from({ length: maxHops }, (_, i) => i + 1);
  const hops = await Promise.all(
    ttls.map(async (ttl) => {
      const out = await run(pingArgs(platform, target, ttl), 3000).catch(
        (e: { stdout?: string }) => e?.stdout ?? '',
      );
      return { ttl, address: parseHop(out) };
    }),
  );
  const reached = hops.findIndex((h) => h.address === target);
  return reached >= 0 ? hops.slice(0, reached + 1) : hops;
}
