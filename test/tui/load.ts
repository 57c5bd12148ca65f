// The JavaScript of a socket-holding child (for startHolder): a loopback server and `connections`
// clients connected to it, so the child owns 2 * connections + 1 sockets. Bounded, loopback only.
// With `connectTo`, it only opens clients to that port (a load spread over several processes).
export function loopbackLoadSource(connections: number, options: { connectTo?: number; listen?: boolean } = {}): string {
  return `
import net from 'node:net';
const held = [];
const connections = ${Math.max(0, Math.floor(connections))};
const listen = ${options.listen ?? options.connectTo === undefined};
const connectOne = (port) => new Promise((resolve, reject) => {
  const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
  socket.on('error', reject);
});
let port = ${options.connectTo ?? 0};
if (listen) {
  const server = net.createServer((socket) => held.push(socket));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', 1024, resolve));
  port = server.address().port;
}
// in batches, so the accept queue never overflows
for (let done = 0; done < connections; ) {
  const batch = Math.min(200, connections - done);
  held.push(...(await Promise.all(Array.from({ length: batch }, () => connectOne(port)))));
  done += batch;
}
setInterval(() => {}, 1 << 30);
ready({ port, sockets: held.length + (listen ? 1 : 0) });
`;
}
