/**
 * The kernel side of test/kernel/: two network namespaces joined by a veth pair, per-namespace sysctls, nft
 * rules to drop or reject, and processes run inside a namespace (test/kernel/driver.mjs, or python3 for a
 * listener that never accepts), whose JSON-line reports are collected with their CLOCK_MONOTONIC times.
 *
 * Needs root (CAP_NET_ADMIN for `ip netns`), iproute2 and nftables; kernelUnavailable() says what is missing,
 * in one line, so the suite can skip with it.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

export const driverPath = fileURLToPath(new URL('./driver.mjs', import.meta.url));

/** CLOCK_MONOTONIC in ms: the clock driver.mjs and python's time.monotonic() report in. */
export const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6;

function run(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { input, stdio: ['pipe', 'pipe', 'pipe'], encoding: 'utf8' });
}

function has(tool: string): boolean {
  try {
    run('sh', ['-c', `command -v ${tool}`]);
    return true;
  } catch {
    return false;
  }
}

/** Why the kernel cases cannot run here, or null when they can. */
export function kernelUnavailable(): string | null {
  if (process.platform !== 'linux') return `not Linux (${process.platform})`;
  if (process.getuid?.() !== 0) return 'not root: ip netns needs CAP_NET_ADMIN';
  for (const tool of ['ip', 'nft', 'python3']) if (!has(tool)) return `${tool} not found (apt-get install iproute2 nftables python3)`;
  const probe = `flprobe${process.pid}`;
  try {
    run('ip', ['netns', 'add', probe]);
    run('ip', ['netns', 'del', probe]);
  } catch (err) {
    return `cannot make a network namespace: ${String((err as { stderr?: string }).stderr ?? err).trim().split('\n')[0]}`;
  }
  return null;
}

/** The kernel's timer frequency (CONFIG_HZ), from /proc/config.gz; 250 (Debian's) when it cannot be read. */
export function kernelHz(): number {
  try {
    if (existsSync('/proc/config.gz')) {
      const m = /^CONFIG_HZ=(\d+)$/m.exec(gunzipSync(readFileSync('/proc/config.gz')).toString('utf8'));
      if (m) return Number(m[1]);
    }
  } catch {
    // fall through
  }
  return 250;
}

/**
 * How late a chain of kernel timers can fire, ms. The timer wheel (kernel/time/timer.c) files a timeout of d
 * jiffies in level n, the first whose range holds it (level n starts at 63 << 3(n−1) jiffies), and fires it on
 * a bucket boundary of that level, up to 8^n jiffies late: at HZ 250 a 1 s timer up to 32 ms, a 4 s one up to
 * 256 ms. faultline fires its timers exactly, so the kernel's times run later by up to this much.
 */
export function wheelSlackMs(timersMs: number[], hz = kernelHz()): number {
  let slack = 0;
  for (const ms of timersMs) {
    const jiffies = Math.ceil((ms * hz) / 1000);
    let level = 0;
    while (jiffies >= 63 << (3 * level)) level++;
    slack += ((1 << (3 * level)) * 1000) / hz;
  }
  return slack;
}

/** One report line of a process in a namespace. */
export interface Report {
  ev: string;
  t: number;
  [field: string]: unknown;
}

/** A process in a namespace and what it has reported so far. */
export class NsProcess {
  readonly reports: Report[] = [];
  private readonly waiters: { match: (r: Report) => boolean; resolve: (r: Report) => void }[] = [];
  private stderr = '';

  constructor(readonly child: ChildProcess) {
    let buffered = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      buffered += chunk;
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.trim() === '') continue;
        const r = JSON.parse(line) as Report;
        this.reports.push(r);
        for (const w of [...this.waiters]) {
          if (!w.match(r)) continue;
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(r);
        }
      }
    });
    child.stderr!.on('data', (c: Buffer) => (this.stderr += c.toString('utf8')));
  }

  /** The first report of `ev` (already in, or the next), or a rejection after `timeoutMs`. */
  next(ev: string | ((r: Report) => boolean), timeoutMs = 20_000): Promise<Report> {
    const match = typeof ev === 'string' ? (r: Report) => r.ev === ev : ev;
    const have = this.reports.find(match);
    if (have) return Promise.resolve(have);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no '${String(ev)}' report within ${timeoutMs} ms; got ${JSON.stringify(this.reports)}; stderr: ${this.stderr}`)), timeoutMs);
      this.waiters.push({
        match,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      });
    });
  }

  /** SIGKILL, as the OOM killer or kill -9 sends it; returns the monotonic time it was sent. */
  kill(): number {
    const t = monotonicMs();
    this.child.kill('SIGKILL');
    return t;
  }
}

let pairs = 0;

/** Two namespaces, a (the client side, .1) and b (the server side, .2), on one veth pair and one /24. */
export class NetnsPair {
  readonly a: string;
  readonly b: string;
  readonly ipA: string;
  readonly ipB: string;
  /** An address on the same /24 that nothing has. */
  readonly ipUnused: string;
  private readonly processes: NsProcess[] = [];

  constructor() {
    const n = ++pairs;
    const tag = `fl${process.pid % 100_000}n${n}`;
    this.a = `${tag}a`;
    this.b = `${tag}b`;
    const subnet = `10.213.${(process.pid + n) % 250}`;
    this.ipA = `${subnet}.1`;
    this.ipB = `${subnet}.2`;
    this.ipUnused = `${subnet}.77`;
    run('ip', ['netns', 'add', this.a]);
    run('ip', ['netns', 'add', this.b]);
    // Interface names: at most 15 characters.
    const va = `v${process.pid % 100_000}n${n}a`;
    const vb = `v${process.pid % 100_000}n${n}b`;
    run('ip', ['link', 'add', va, 'netns', this.a, 'type', 'veth', 'peer', 'name', vb, 'netns', this.b]);
    for (const [ns, dev, ip] of [
      [this.a, va, this.ipA],
      [this.b, vb, this.ipB],
    ] as const) {
      run('ip', ['-n', ns, 'addr', 'add', `${ip}/24`, 'dev', dev]);
      run('ip', ['-n', ns, 'link', 'set', dev, 'up']);
      run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    }
  }

  /** Sets sysctls in namespace `ns` (net.ipv4.* are per namespace); a key this kernel lacks is skipped. */
  sysctl(ns: string, values: Record<string, number | string>): void {
    for (const [key, value] of Object.entries(values)) {
      if (!existsSync(`/proc/sys/${key.replaceAll('.', '/')}`)) continue;
      run('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', `${key}=${value}`]);
    }
  }

  /** Adds nft rules in namespace `ns`: a table with an input and an output filter chain, then `rules` in order. */
  nft(ns: string, rules: { chain: 'input' | 'output'; rule: string }[]): void {
    const script = [
      'table inet fl {',
      '  chain input { type filter hook input priority 0; }',
      '  chain output { type filter hook output priority 0; }',
      '}',
      ...rules.map((r) => `add rule inet fl ${r.chain} ${r.rule}`),
    ].join('\n');
    run('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], script);
  }

  /** Runs driver.mjs with `args` in `ns`. */
  driver(ns: string, ...args: (string | number)[]): NsProcess {
    return this.spawn(ns, process.execPath, [driverPath, ...args.map(String)]);
  }

  /** A listener that never accepts (listen(2) with `backlog`, then sleep): its connections stay queued. */
  listenOnly(ns: string, port: number, backlog: number): NsProcess {
    const code = [
      'import json, socket, time',
      's = socket.socket()',
      's.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)',
      `s.bind(('0.0.0.0', ${port}))`,
      `s.listen(${backlog})`,
      "print(json.dumps({'ev': 'listening', 't': time.monotonic() * 1000}), flush=True)",
      'time.sleep(3600)',
    ].join('\n');
    return this.spawn(ns, 'python3', ['-c', code]);
  }

  /**
   * A server that accepts and never reads, in python: Node reads as soon as it accepts (even a paused socket
   * fills its 16 KiB user-space buffer), so with Node the data would leave the kernel's receive buffer.
   */
  acceptNoRead(ns: string, port: number): NsProcess {
    const code = [
      'import json, socket, time',
      's = socket.socket()',
      's.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)',
      `s.bind(('0.0.0.0', ${port}))`,
      's.listen(8)',
      "print(json.dumps({'ev': 'listening', 't': time.monotonic() * 1000}), flush=True)",
      'held = []',
      'while True:',
      '    c, _ = s.accept()',
      '    held.append(c)',
      "    print(json.dumps({'ev': 'accepted', 't': time.monotonic() * 1000}), flush=True)",
    ].join('\n');
    return this.spawn(ns, 'python3', ['-c', code]);
  }

  private spawn(ns: string, cmd: string, args: string[]): NsProcess {
    // `ip netns exec` execs the command, so the child's pid is the process a SIGKILL must reach.
    const p = new NsProcess(spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }));
    this.processes.push(p);
    return p;
  }

  /** Ends every process still running and deletes both namespaces (the veth pair goes with them). */
  down(): void {
    for (const p of this.processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    for (const ns of [this.a, this.b]) {
      try {
        run('ip', ['netns', 'del', ns]);
      } catch {
        // already gone
      }
    }
  }
}
