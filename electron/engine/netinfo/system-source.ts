import os from 'node:os';
import dgram from 'node:dgram';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';

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
  readFile: (path) => readFile(path, 'utf8'),
  run: (file, args, timeoutMs) =>
    new Promise((resolve, reject) => {
      execFile(file, args, { timeout: timeoutMs, maxBuffer: 1 << 20, windowsHide: true }, (err, stdout) =>
        // ping and friends exit non-zero with useful output: keep it on the error.
        err ? reject(Object.assign(err, { stdout })) : resolve(stdout),
      );
    }),
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
