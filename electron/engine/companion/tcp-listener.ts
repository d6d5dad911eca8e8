/**
 * TCP listening for the companion server. The shared `Network` only connects out, so the server
 * side lives here (node:net), behind a small interface the tests can replace. Connections are
 * handed over as the same `TcpConnection` shape the rest of the engine uses.
 */
import net from 'node:net';
import type { TcpConnection } from '../net/network.ts';
import { wrapTcpSocket } from '../net/node-network.ts';

export interface TcpListener {
  readonly local: { address: string; port: number };
  close(): Promise<void>;
}

export interface ListenTcpOptions {
  address: string;
  port: number;
  /** Hard cap on simultaneous connections (node drops the rest). */
  maxConnections: number;
}

export type ListenTcp = (
  o: ListenTcpOptions,
  onConnection: (c: TcpConnection) => void,
) => Promise<TcpListener>;

export const nodeListenTcp: ListenTcp = async (o, onConnection) => {
  const server = net.createServer({ noDelay: true });
  server.maxConnections = o.maxConnections;
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    onConnection(wrapTcpSocket(s));
  });
  server.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: o.address, port: o.port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as net.AddressInfo;
  return {
    local: { address: addr.address, port: addr.port },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
};
