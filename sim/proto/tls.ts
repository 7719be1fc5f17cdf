/**
 * TLS as what it costs a connection: handshake flights of realistic sizes, the round trips between them and
 * the CPU time each side spends, before application data flows. No bytes are encrypted; record overhead on
 * application data is not modelled. TLS 1.3 takes one round trip (the client's Finished travels with its
 * first request), TLS 1.2 two.
 */
import type { ActorContext } from '../core/context.js';
import { distribution, type Distribution, type DistributionSpec } from '../core/distribution.js';
import { SimError } from '../core/errors.js';
import type { Socket } from '../net/tcp/socket.js';

export interface TlsOptions {
  version: '1.2' | '1.3';
  /** Server CPU per handshake (key exchange and signature; ECDSA P-256 is well under a millisecond). */
  serverCpu: DistributionSpec;
  /** Client CPU per handshake (key exchange, certificate verification). */
  clientCpu: DistributionSpec;
  /** The server's flight with its certificate chain, bytes. */
  certificateFlightBytes: number;
}

export const tlsDefaults: Readonly<TlsOptions> = Object.freeze<TlsOptions>({
  version: '1.3',
  serverCpu: '1ms',
  clientCpu: '500us',
  certificateFlightBytes: 4000,
});

/** A ClientHello as browsers send it (padded to 517 bytes). */
const CLIENT_HELLO_BYTES = 517;

interface Flight {
  from: 'client' | 'server';
  bytes: number;
}

function flights(o: TlsOptions): Flight[] {
  return o.version === '1.3'
    ? [
        { from: 'client', bytes: CLIENT_HELLO_BYTES },
        { from: 'server', bytes: o.certificateFlightBytes },
        { from: 'client', bytes: 80 }, // Finished; the first request may follow at once
      ]
    : [
        { from: 'client', bytes: CLIENT_HELLO_BYTES },
        { from: 'server', bytes: o.certificateFlightBytes },
        { from: 'client', bytes: 180 }, // ClientKeyExchange, ChangeCipherSpec, Finished
        { from: 'server', bytes: 60 }, // ChangeCipherSpec, Finished
      ];
}

export function resolveTlsOptions(partial: Partial<TlsOptions> | true, what = 'tls'): TlsOptions {
  const o = { ...tlsDefaults, ...(partial === true ? {} : partial) };
  for (const key of Object.keys(partial === true ? {} : partial)) {
    if (!(key in tlsDefaults)) throw new SimError('ERR_TLS_OPTION', `${what}.${key}: not a TLS option (options: ${Object.keys(tlsDefaults).join(', ')})`);
  }
  if (o.version !== '1.2' && o.version !== '1.3') throw new SimError('ERR_TLS_OPTION', `${what}.version: expected '1.2' or '1.3', got ${JSON.stringify(o.version)}`);
  if (!Number.isSafeInteger(o.certificateFlightBytes) || o.certificateFlightBytes < 1) throw new SimError('ERR_TLS_OPTION', `${what}.certificateFlightBytes: expected a positive integer, got ${o.certificateFlightBytes}`);
  distribution(o.serverCpu, `${what}.serverCpu`);
  distribution(o.clientCpu, `${what}.clientCpu`);
  return o;
}

/**
 * One side's handshake over a connected socket. Feed it every chunk the socket delivers until `done`: it
 * consumes the peer's flights, spends this side's CPU and sends this side's flights, then calls `ready`
 * with whatever application bytes arrived behind the last flight.
 */
export class TlsHandshake {
  done = false;
  private readonly script: Flight[];
  private step = 0;
  /** Bytes of the peer's current flight received so far. */
  private got = 0;
  private readonly inbox: Uint8Array[] = [];
  private busy = false;
  private readonly cpu: Distribution;

  constructor(
    private readonly ctx: ActorContext,
    private readonly socket: Socket,
    private readonly side: 'client' | 'server',
    options: TlsOptions,
    private readonly ready: (leftover: Uint8Array | null) => void,
  ) {
    this.script = flights(options);
    this.cpu = distribution(side === 'server' ? options.serverCpu : options.clientCpu, `tls.${side}Cpu`);
    this.pump();
  }

  /** Bytes from the peer while the handshake runs. */
  push(chunk: Uint8Array): void {
    this.inbox.push(chunk);
    this.pump();
  }

  private pump(): void {
    while (!this.done && !this.busy) {
      if (this.step >= this.script.length) {
        this.finish();
        return;
      }
      const flight = this.script[this.step]!;
      if (flight.from === this.side) {
        // Key exchange and signing take CPU before this side's flight goes (the ClientHello needs none).
        const cpuUs = this.step === 0 ? 0 : this.cpu.sample(this.ctx.random(`tls/${this.side}`));
        this.busy = true;
        this.ctx.timer(cpuUs, () => {
          this.busy = false;
          if (this.socket.destroyed) return;
          this.socket.write(new Uint8Array(flight.bytes));
          this.step++;
          this.pump();
        });
        return;
      }
      const chunk = this.inbox.shift();
      if (!chunk) return;
      const need = flight.bytes - this.got;
      if (chunk.byteLength < need) {
        this.got += chunk.byteLength;
        continue;
      }
      this.got = 0;
      this.step++;
      if (chunk.byteLength > need) this.inbox.unshift(chunk.subarray(need));
    }
  }

  private finish(): void {
    this.done = true;
    const rest = this.inbox.splice(0);
    let leftover: Uint8Array | null = null;
    if (rest.length === 1) leftover = rest[0]!;
    else if (rest.length > 1) {
      leftover = new Uint8Array(rest.reduce((n, c) => n + c.byteLength, 0));
      let at = 0;
      for (const c of rest) {
        leftover.set(c, at);
        at += c.byteLength;
      }
    }
    this.ready(leftover);
  }
}
