import os from 'node:os';
import dgram from 'node:dgram';
import { readFile } from 'node:fs';

/** Where the network snapshot reads the machine from; injected so tests can supply fixtures. */
export interface SystemSource {
  platform: NodeJS.Platform;
  networkInterfaces(): NodeJS.Dict<os.NetworkInterfaceInfo[]>;
  readFile(path: string): Promise<string>;
  /** Runs a program with a bounded wait and returns its stdout. */
  run(file: string, args: string[], timeoutMs: number): Promise<string>;
  /**
   * The local address the OS would use to reach `target`. Uses connect() on a UDP socket, which
   * only consults the routing table: no packet is sent.
   */
  routeSource(target: string): Promise<string | null>;
}

export const nodeSystemSource: SystemSource = {
  platform: process.platform,
  networkInterfaces: () => os.networkInterfaces(),
  // node:fs's callback form: fs/promises would load readline and more on `natscope network`'s path.
  readFile: (path) =>
    new Promise((resolve, reject) =>
      readFile(path, 'utf8', (err, text) => (err ? reject(err) : resolve(text))),
    ),
  // child_process is imported on first use: `natscope network` on Linux never starts a program.
  run: async (file, args, timeoutMs) => {
    const { execFile } = await import('node:child_process');
    return new Promise((resolve, reject) => {
      execFile(file, args, { timeout: timeoutMs, maxBuffer: 1 << 20, windowsHide: true }, (err, stdout) =>
        // ping and friends exit non-zero with useful output: keep it on the error.
        err ? reject(Object.assign(err, { stdout })) : resolve(stdout),
      );
    });
  },
  routeSource: (target) =>
    new Promise((resolve) => {
      const s = dgram.createSocket(target.includes(':') ? 'udp6' : 'udp4');
      const done = (v: string | null) => {
        s.close();
        resolve(v);
      };
      s.on('error', () => done(null));
      s.connect(9, target, () => {
        try {
          done(s.address().address);
        } catch {
          done(null);
        }
      });
    }),
};
