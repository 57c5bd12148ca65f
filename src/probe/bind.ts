// Trying a bind for real: the only sure answer to "can a server bind this port here". Each attempt binds
// one socket and releases it at once. Platform-neutral (node:net, node:dgram); no /proc, no PowerShell.
import { createSocket, type SocketType } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { createServer } from 'node:net';
import type { Protocol } from '../core/model.js';

export interface BindRequest {
  port: number;
  /** an IP address (0.0.0.0, ::, 127.0.0.1, ::1, ...) */
  host: string;
  protocol: Protocol;
  /** IPV6_V6ONLY for an IPv6 address; false (Node's default) makes `::` dual-stack */
  ipv6Only?: boolean;
}

/** What the OS said. `code` is the errno name (EADDRINUSE, EACCES, EADDRNOTAVAIL, ...), null when it bound. */
export interface BindAttempt {
  bound: boolean;
  code: string | null;
  message: string | null;
}

/**
 * Binds and releases. TCP goes through net.Server.listen, so it binds the way a Node server does: with
 * SO_REUSEADDR on Linux and macOS (a TIME_WAIT-only port binds), without it on Windows (libuv).
 */
export function tryBind(request: BindRequest): Promise<BindAttempt> {
  return request.protocol === 'tcp' ? tryTcp(request) : tryUdp(request);
}

function tryTcp({ port, host, ipv6Only = false }: BindRequest): Promise<BindAttempt> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(failed(error)));
    // exclusive: never share a port through the cluster module's handle passing
    server.listen({ port, host, exclusive: true, ipv6Only: isIPv6(host) && ipv6Only, backlog: 1 }, () => {
      server.close(() => resolve({ bound: true, code: null, message: null }));
    });
  });
}

function tryUdp({ port, host, ipv6Only = false }: BindRequest): Promise<BindAttempt> {
  return new Promise((resolve) => {
    const type: SocketType = isIPv6(host) ? 'udp6' : 'udp4';
    const socket = createSocket({ type, reuseAddr: false, ipv6Only: type === 'udp6' && ipv6Only });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      socket.close();
      resolve(failed(error));
    });
    socket.bind({ port, address: host, exclusive: true }, () => {
      socket.close(() => resolve({ bound: true, code: null, message: null }));
    });
  });
}

function failed(error: NodeJS.ErrnoException): BindAttempt {
  return { bound: false, code: error.code ?? 'UNKNOWN', message: error.message };
}
