// TCP echo server for lab namespaces (node test/lab/tools/tcp-echo.ts IP:PORT): every byte back to
// its sender. The peer of the RFC 6062 TURN TCP-allocation test. Runs until killed.
import net from 'node:net';

const [host, port] = (process.argv[2] ?? '').split(':');
net
  .createServer((s) => {
    s.on('error', () => {});
    s.pipe(s);
  })
  .listen(Number(port), host, () => process.stdout.write(`listening ${host}:${port}\n`));
