// Snippets for startHolder children that leave real sockets behind: listeners and TIME_WAIT-only ports.
import { createServer } from 'node:net';

/** A child that listens on HOST:0 and reports {port}. */
export function listenSnippet(host: string, options = ''): string {
  return `import { createServer } from 'node:net';
const server = createServer();
server.listen({ port: 0, host: ${JSON.stringify(host)}${options ? `, ${options}` : ''} }, () => ready({ port: server.address().port }));`;
}

/**
 * A child that leaves only TIME_WAIT on a loopback port: it accepts one connection, closes it first
 * (the active closer keeps TIME_WAIT), closes the listener, then reports {port}.
 */
export const TIME_WAIT_SNIPPET = `import { createServer, connect } from 'node:net';
const server = createServer((socket) => socket.end());
server.listen({ port: 0, host: '127.0.0.1' }, () => {
  const { port } = server.address();
  const client = connect({ port, host: '127.0.0.1' });
  client.on('end', () => client.end());
  client.on('close', () => server.close(() => setTimeout(() => ready({ port }), 100)));
});`;

/** A port that was free a moment ago (bound to 0 and released), for servers that start later. */
export async function releasedPort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen({ port: 0, host }, resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
