// Sources of the real children the exhaustion tests run inside a private network namespace. Each is
// ESM run by startHolder (test/helpers/children.ts), which provides ready(data). Every loop is bounded
// in count and time, and all traffic goes to loopback.

/** Port of the loopback listener inside a test namespace (private namespace, so a fixed port is safe). */
export const LISTEN_PORT = 5000;

/**
 * A server that accepts and keeps every connection. With closeNever it also ignores the peer's close
 * (allowHalfOpen, never end()), so each accepted socket stays in CLOSE_WAIT: the leak of test (3).
 */
export function listenerSource(options: { closeNever?: boolean } = {}): string {
  return `
import net from 'node:net';
const sockets = [];
let ended = 0;
const server = net.createServer({ allowHalfOpen: ${options.closeNever ? 'true' : 'false'} }, (socket) => {
  sockets.push(socket);
  socket.on('error', () => {});
  socket.on('end', () => { ended++; ${options.closeNever ? '' : 'socket.end();'} });
  socket.resume();
});
server.listen(${LISTEN_PORT}, '127.0.0.1', () => ready({ port: ${LISTEN_PORT} }));
// how many peers closed so far, for tests that wait for it
setInterval(() => process.stdout.write('ENDED ' + ended + '\\n'), 100).unref();
`;
}

/** Opens connections to the listener one after another until connect() fails (bounded), keeps them all. */
export function exhaustingClientSource(maxAttempts: number): string {
  return `
import net from 'node:net';
const sockets = [];
let failure = null;
const deadline = Date.now() + 20000;
for (let i = 0; i < ${maxAttempts} && Date.now() < deadline; i++) {
  const code = await new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port: ${LISTEN_PORT} });
    socket.once('connect', () => { sockets.push(socket); resolve(null); });
    socket.once('error', (error) => resolve(error.code ?? String(error)));
  });
  if (code) { failure = code; break; }
}
ready({ opened: sockets.length, failure });
setInterval(() => {}, 1000);
`;
}

/**
 * Opens and closes connections quickly, closing first so TIME_WAIT lands on this side (bounded count),
 * then keeps one connection open, as a process that is still churning would.
 */
export function churningClientSource(connections: number): string {
  return `
import net from 'node:net';
const deadline = Date.now() + 30000;
let closed = 0;
const open = () => new Promise((resolve, reject) => {
  const socket = net.connect({ host: '127.0.0.1', port: ${LISTEN_PORT} });
  socket.once('connect', () => resolve(socket));
  socket.once('error', reject);
});
for (let i = 0; i < ${connections} && Date.now() < deadline; i++) {
  const socket = await open();
  // end() sends our FIN first; the server answers with its own, and our side waits in TIME_WAIT
  await new Promise((resolve) => { socket.once('close', resolve); socket.end(); socket.resume(); });
  closed++;
}
const kept = await open();
ready({ closed, keptPort: kept.localPort });
setInterval(() => {}, 1000);
`;
}

/** Connects, then closes at once with destroy(): the server sees the close, this side lets go. */
export function closingClientSource(connections: number): string {
  return `
import net from 'node:net';
const ports = [];
for (let i = 0; i < ${connections}; i++) {
  const socket = await new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port: ${LISTEN_PORT} });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
  ports.push(socket.localPort);
  socket.destroy();
}
ready({ closed: ports.length });
setInterval(() => {}, 1000);
`;
}

/**
 * Opens connections in steps (step every stepMs, up to total) and keeps them: usage that climbs. It
 * starts climbing once `startWhen` holds at least `afterLines` lines (the watch's first rows), so the
 * watch sees the climb from its start; bounded by a 20 s wait.
 */
export function rampingClientSource(options: { step: number; stepMs: number; total: number; startWhen: string; afterLines: number }): string {
  const { step, stepMs, total, startWhen, afterLines } = options;
  return `
import net from 'node:net';
import { readFileSync } from 'node:fs';
const sockets = [];
let opened = 0;
const open = () => new Promise((resolve) => {
  const socket = net.connect({ host: '127.0.0.1', port: ${LISTEN_PORT} });
  socket.once('connect', () => { sockets.push(socket); resolve(true); });
  socket.once('error', () => resolve(false));
});
const lines = () => { try { return readFileSync(${JSON.stringify(startWhen)}, 'utf8').split('\\n').filter(Boolean).length; } catch { return 0; } };
ready({ total: ${total} });
const waitUntil = Date.now() + 20000;
while (lines() < ${afterLines} && Date.now() < waitUntil) await new Promise((resolve) => setTimeout(resolve, 50));
while (opened < ${total}) {
  for (let i = 0; i < ${step} && opened < ${total}; i++) { await open(); opened++; }
  process.stdout.write('OPENED ' + opened + '\\n');
  await new Promise((resolve) => setTimeout(resolve, ${stepMs}));
}
setInterval(() => {}, 1000);
`;
}
