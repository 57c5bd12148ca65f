// The benchmark's load: real loopback TCP connections held by real child processes inside a private
// network namespace, so the sockets are seen only by commands run in that namespace.
// Each connection is two sockets (the client's and the accepted one). A process may hold at most
// 20000 fds here, so the load is spread over several children of a few thousand connections each.
import { startHolder, type Holder } from '../test/helpers/children.js';

/** Connections per child: 2 fds each plus the listener stays well under the 20000-fd hard limit. */
export const MAX_CONNECTIONS_PER_CHILD = 4000;
/** How many connects a child has in flight at once (the listen backlog is 511). */
const CONNECT_BATCH = 200;

export interface ConnectionHolderData {
  port: number;
  host: string;
  connections: number;
}

/**
 * A child that listens on host:0 and connects to itself `connections` times, holding both ends open.
 * Ready once the server has accepted every connection (so each socket has an fd and an inode).
 */
export function connectionHolderSource(host: string, connections: number): string {
  return `${EXIT_WITH_PARENT}
import net from 'node:net';
const host = ${JSON.stringify(host)};
const wanted = ${connections};
const clients = [];
let accepted = 0;
let reported = false;
const server = net.createServer((socket) => {
  socket.on('error', () => {});
  accepted++;
  maybeReady();
});
function maybeReady() {
  if (!reported && accepted >= wanted && clients.length >= wanted) {
    reported = true;
    ready({ port: server.address().port, host, connections: wanted });
  }
}
server.listen({ port: 0, host, backlog: 1024 }, async () => {
  const port = server.address().port;
  for (let made = 0; made < wanted; ) {
    const batch = Math.min(${CONNECT_BATCH}, wanted - made);
    const opened = await Promise.all(Array.from({ length: batch }, () => new Promise((resolve, reject) => {
      const client = net.connect({ port, host }, () => resolve(client));
      client.on('error', reject);
    })));
    clients.push(...opened);
    made += batch;
  }
  maybeReady();
});
`;
}

/**
 * A child that makes `count` short connections to its own listener and closes each from the client
 * side first, leaving `count` sockets in TIME_WAIT (kernel-owned, no fd) for about 60 s.
 */
export function timeWaitMakerSource(count: number): string {
  return `${EXIT_WITH_PARENT}
import net from 'node:net';
const server = net.createServer((socket) => { socket.on('error', () => {}); socket.resume(); });
server.listen({ port: 0, host: '127.0.0.1', backlog: 1024 }, async () => {
  const port = server.address().port;
  for (let made = 0; made < ${count}; ) {
    const batch = Math.min(${CONNECT_BATCH}, ${count} - made);
    await Promise.all(Array.from({ length: batch }, () => new Promise((resolve) => {
      const client = net.connect({ port, host: '127.0.0.1' }, () => client.end());
      client.on('error', resolve);
      client.on('close', resolve);
      client.resume();
    })));
    made += batch;
  }
  ready({ port, count: ${count} });
});
`;
}

/**
 * Prepended to every load child: exit when the benchmark that started it is gone (killed, crashed),
 * so no socket-holding process outlives it. Under `ip netns exec` the benchmark is the direct parent.
 */
const EXIT_WITH_PARENT = `
const startedBy = process.ppid;
setInterval(() => { if (process.ppid !== startedBy) process.exit(0); }, 500).unref();
`;

/** One listener and nothing else: the port `porttop who P` and `ss -ltnp 'sport = :P'` look up. */
export const LISTENER_SOURCE = `${EXIT_WITH_PARENT}
import net from 'node:net';
const server = net.createServer((socket) => socket.destroy());
server.listen({ port: 0, host: '127.0.0.1' }, () => ready({ port: server.address().port }));
`;

/** The holders started so far, so one call stops them all (by PID, through Holder.stop). */
export class Load {
  private readonly holders: Holder[] = [];
  /** connections held open (each is two sockets) */
  connections = 0;

  constructor(private readonly prefix: readonly string[]) {}

  async startListener(): Promise<number> {
    const holder = await startHolder<{ port: number }>(LISTENER_SOURCE, { prefix: this.prefix });
    this.holders.push(holder);
    return holder.data.port;
  }

  /** Adds connections until `total` are held, in children of at most MAX_CONNECTIONS_PER_CHILD. */
  async growTo(total: number): Promise<void> {
    let childIndex = this.holders.length;
    while (this.connections < total) {
      const batch = Math.min(MAX_CONNECTIONS_PER_CHILD, total - this.connections);
      // alternate families so both /proc/net/tcp and tcp6 carry load
      const host = childIndex++ % 2 === 0 ? '127.0.0.1' : '::1';
      const holder = await startHolder<ConnectionHolderData>(connectionHolderSource(host, batch), {
        prefix: this.prefix,
        timeoutMs: 120_000,
      });
      this.holders.push(holder);
      this.connections += batch;
    }
  }

  /** Leaves `count` fresh TIME_WAIT sockets; the maker exits afterwards (TIME_WAIT needs no process). */
  async addTimeWait(count: number): Promise<void> {
    const holder = await startHolder(timeWaitMakerSource(count), { prefix: this.prefix, timeoutMs: 120_000 });
    await holder.stop();
  }

  async stop(): Promise<void> {
    await Promise.all(this.holders.map((holder) => holder.stop()));
    this.holders.length = 0;
    this.connections = 0;
  }
}
