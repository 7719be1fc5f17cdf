// The kernel side of test/kernel/: one process in a network namespace doing one case's steps with Node's real
// sockets, printing what happened as JSON lines { ev, t, ... }, t in ms on CLOCK_MONOTONIC (process.hrtime),
// which every process on the machine shares, so the test can set them against the moment it killed a process.
//
//   node driver.mjs connect <host> <port> [--write <bytes>] [--write-after-ms <ms>] [--hold-ms <ms>]
//   node driver.mjs server <port> <read|noread> [--backlog <n>]
//   node driver.mjs half-close-client <host> <port>   /   half-close-server <port>
// (A listener that never accepts is a python3 one-liner in kernel.ts: libuv accepts whatever is queued.)
import net from 'node:net';

const now = () => Number(process.hrtime.bigint()) / 1e6;
const say = (ev, fields = {}) => process.stdout.write(`${JSON.stringify({ ev, t: now(), ...fields })}\n`);
const [mode, ...args] = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(args[i + 1]);
};

if (mode === 'connect') {
  const [host, port] = args;
  const writeBytes = flag('write', 0);
  const writeAfterMs = flag('write-after-ms', 0);
  const holdMs = flag('hold-ms', 60_000);
  // A first connect (to a closed port on loopback) loads what Node loads lazily on its first connect, some
  // 10 ms that would otherwise count as network time.
  await new Promise((resolve) => net.connect({ host: '127.0.0.1', port: 9 }).on('error', resolve).on('connect', resolve));
  say('start');
  const socket = net.connect({ host, port: Number(port) });
  socket.on('connect', () => {
    say('connect');
    if (writeBytes > 0) setTimeout(() => socket.write(Buffer.alloc(writeBytes, 120)), writeAfterMs);
  });
  socket.on('data', (chunk) => say('data', { bytes: chunk.length }));
  socket.on('end', () => say('end'));
  socket.on('error', (err) => say('error', { code: err.code }));
  socket.on('close', () => {
    say('close');
    process.exit(0);
  });
  setTimeout(() => {
    say('hold-over');
    process.exit(0);
  }, holdMs);
} else if (mode === 'half-close-client') {
  // Writes, ends its side (shutdown(SHUT_WR)), and keeps reading until the server ends too.
  const [host, port] = args;
  const socket = net.connect({ host, port: Number(port), allowHalfOpen: true });
  socket.on('connect', () => {
    say('connect');
    socket.end('question');
  });
  socket.on('data', (chunk) => say('data', { text: chunk.toString('utf8') }));
  socket.on('end', () => say('end'));
  socket.on('error', (err) => say('error', { code: err.code }));
  socket.on('close', () => {
    say('close');
    process.exit(0);
  });
} else if (mode === 'half-close-server') {
  // Answers once the client has ended its side, then ends its own.
  const [port] = args;
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    let got = '';
    socket.on('data', (chunk) => (got += chunk.toString('utf8')));
    socket.on('end', () => socket.end(`answer to ${got}`));
    socket.on('error', () => {});
  });
  server.listen(Number(port), () => say('listening'));
} else if (mode === 'server') {
  const [port, how] = args;
  const server = net.createServer((socket) => {
    say('accepted');
    if (how === 'noread') socket.pause();
    else socket.on('data', () => {});
    socket.on('error', () => {});
  });
  server.listen({ port: Number(port), backlog: flag('backlog', 511) }, () => say('listening'));
} else {
  process.stderr.write(`driver: unknown mode ${mode}\n`);
  process.exit(2);
}
