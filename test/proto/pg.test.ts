import { describe, expect, it } from 'vitest';
import { SimError } from '../../sim/core/errors.js';
import { NetError } from '../../sim/net/errors.js';
import { Pool } from '../../sim/pool/pool.js';
import {
  decodeCString,
  decodeErrorResponse,
  decodeStartup,
  encodeErrorResponse,
  encodeQuery,
  encodeStartup,
  encodeTerminate,
  MessageType,
  PgDecoder,
  PgProtocolError,
  PROTOCOL_VERSION_3,
  UNTYPED,
} from '../../sim/proto/pg-codec.js';
import { pgConnect, pgConnectionFactory, type PgConnection, type PgQueryResult } from '../../sim/proto/pg-client.js';
import { PgClientError, PgError } from '../../sim/proto/pg-errors.js';
import { parseHints, withHints } from '../../sim/proto/pg-hints.js';
import { dataSegments, dbWorld, records } from './pg-helpers.js';

describe('pg codec (PostgreSQL protocol 3.0 framing)', () => {
  it('frames a Query as type, length (counting itself, not the type), text and NUL', () => {
    expect([...encodeQuery('SELECT 1')]).toEqual([0x51, 0, 0, 0, 13, ...new TextEncoder().encode('SELECT 1'), 0]);
    expect([...encodeTerminate()]).toEqual([0x58, 0, 0, 0, 4]);
  });

  it('a StartupMessage has no type byte: length, protocol 3.0, parameters, a final NUL', () => {
    const m = encodeStartup({ user: 'app', database: 'shop' });
    expect(m.byteLength).toBe(4 + 4 + 'user\0app\0database\0shop\0'.length + 1);
    expect(new DataView(m.buffer, m.byteOffset).getInt32(0)).toBe(m.byteLength);
    expect(decodeStartup(m.subarray(4))).toEqual({ code: PROTOCOL_VERSION_3, params: { user: 'app', database: 'shop' } });
  });

  it('decodes messages split across chunks at every byte, untyped startup first', () => {
    const stream = concat([encodeStartup({ user: 'u' }), encodeQuery('SELECT 1'), encodeQuery(''), encodeTerminate()]);
    const decoder = new PgDecoder(true);
    const got: [number, string, number][] = [];
    for (let i = 0; i < stream.byteLength; i++) {
      decoder.push(stream.subarray(i, i + 1));
      for (let f = decoder.next(); f; f = decoder.next()) {
        if (f.type === UNTYPED) {
          decoder.expectUntyped = false;
          got.push([f.type, JSON.stringify(decodeStartup(f.body).params), f.wireBytes]);
        } else got.push([f.type, f.body.byteLength > 0 ? decodeCString(f.body) : '', f.wireBytes]);
      }
    }
    expect(got).toEqual([
      [UNTYPED, '{"user":"u"}', 16],
      [MessageType.Query, 'SELECT 1', 14],
      [MessageType.Query, '', 6],
      [MessageType.Terminate, '', 5],
    ]);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('refuses a length below 4 or above the bound as a protocol error (08P01)', () => {
    const d = new PgDecoder(false, 1000);
    d.push(new Uint8Array([0x51, 0, 0, 0, 3]));
    expect(() => d.next()).toThrow(new PgProtocolError('invalid message length 3'));
    const big = new PgDecoder(false, 1000);
    big.push(new Uint8Array([0x51, 0, 0, 0x03, 0xe9]));
    expect(() => big.next()).toThrow('invalid message length 1001');
    const startup = new PgDecoder(true);
    startup.push(new Uint8Array([0, 0, 0x27, 0x11]));
    expect(() => startup.next()).toThrow('invalid length of startup packet 10001');
  });

  it('an ErrorResponse carries severity, SQLSTATE and message (S V C M fields)', () => {
    const e = { severity: 'FATAL' as const, code: '53300', message: 'sorry, too many clients already' };
    const m = encodeErrorResponse(e);
    expect(m[0]).toBe(MessageType.ErrorResponse);
    expect(decodeErrorResponse(m.subarray(5))).toEqual(e);
  });

  it('query hints travel as a leading comment and are read back; bad ones are named', () => {
    const sql = withHints({ text: 'SELECT * FROM t', rows: 5, rowBytes: 200, costUs: 1500, id: 'r1' });
    expect(sql).toBe('/*faultline rows=5 rowBytes=200 costUs=1500 id=r1*/ SELECT * FROM t');
    expect(parseHints(sql)).toEqual({ hints: { rows: 5, rowBytes: 200, costUs: 1500, id: 'r1' } });
    expect(parseHints('SELECT 1')).toEqual({ hints: {} });
    expect(parseHints('/*faultline rows=x*/ SELECT')).toEqual({ problem: "rows: expected an integer, got 'x'" });
    expect(parseHints('/*faultline size=1*/ SELECT')).toEqual({ problem: "unknown key 'size' (keys: rows, rowBytes, costUs, id, error)" });
  });
});

describe('pg client and server over simulated TCP (constant 1 ms links, backend start-up 2 ms)', () => {
  // Round trips: TCP handshake 1, then startup → auth request and each auth answer 1 each; plus the 2 ms fork.
  it.each([
    ['trust', 6_000],
    ['md5', 8_000],
    ['scram-sha-256', 10_000],
  ] as const)('connect with %s auth takes exactly its round trips: %i µs', async (auth, expectedUs) => {
    const { sim, app } = dbWorld({ db: { auth } });
    let atUs = -1;
    let params: Record<string, string> = {};
    app.spawn('c', async (ctx) => {
      const conn = await pgConnect(ctx, { host: 'db', user: 'app' });
      atUs = ctx.now;
      params = { ...conn.parameters };
      conn.end();
    });
    await sim.run();
    expect(atUs).toBe(expectedUs);
    expect(params.server_version).toBe('16.4');
    expect(params.is_superuser).toBe('off');
    expect(params.session_authorization).toBe('app');
  });

  it('md5: the server sends AuthenticationMD5Password, the client answers, AuthenticationOk follows', async () => {
    const { sim, app, sink } = dbWorld();
    app.spawn('c', async (ctx) => (await pgConnect(ctx, { host: 'db' })).end());
    await sim.run();
    // Data segments from the database: the md5 request (13 bytes) at 5 ms, the session's opening at 7 ms.
    const fromDb = sink.records.filter((r) => r.kind === 'pkt.send' && r.host === 'db' && (r.fields?.len as number) > 0).map((r) => [r.t, r.fields!.len]);
    expect(fromDb[0]).toEqual([5_000, 13]);
    expect(fromDb[1]![0]).toBe(7_000);
  });

  it('a query returns its rows and its bytes; the time is the round trip plus the query cost', async () => {
    const { sim, app } = dbWorld();
    const got: [number, PgQueryResult][] = [];
    app.spawn('c', async (ctx) => {
      const conn = await pgConnect(ctx, { host: 'db' });
      for (const q of [{ text: 'SELECT 1', rows: 1, rowBytes: 10 }, { text: 'SELECT * FROM t', rows: 3, rowBytes: 100, costUs: 500 }]) {
        const t0 = ctx.now;
        const r = await conn.query(q);
        got.push([ctx.now - t0, r]);
      }
      conn.end();
    });
    await sim.run();
    // RowDescription 34 + DataRows (rowBytes + 11 each) + CommandComplete + ReadyForQuery 6.
    expect(got).toEqual([
      [12_000, { rows: 1, bytes: 34 + 21 + 14 + 6, command: 'SELECT 1' }],
      [2_500, { rows: 3, bytes: 34 + 3 * 111 + 14 + 6, command: 'SELECT 3' }],
    ]);
  });

  it('a big result is many segments (8 KiB server writes cut at the 1460-byte MSS); a small one is one', async () => {
    const { sim, app, sink } = dbWorld();
    const windows: { fromUs: number; toUs: number; bytes: number }[] = [];
    app.spawn('c', async (ctx) => {
      const conn = await pgConnect(ctx, { host: 'db' });
      for (const rows of [1, 1000]) {
        const fromUs = ctx.now;
        const r = await conn.query({ text: 'SELECT', rows, rowBytes: 1000 });
        windows.push({ fromUs, toUs: ctx.now, bytes: r.bytes });
      }
      conn.end();
    });
    await sim.run();
    const [small, big] = windows.map((w) => ({ ...w, segments: dataSegments(sink, 'db', w.fromUs, w.toUs) }));
    expect(small!.bytes).toBe(34 + 1011 + 14 + 6);
    expect(small!.segments).toEqual([1065]);
    expect(big!.bytes).toBe(34 + 1000 * 1011 + 17 + 6);
    expect(big!.segments.reduce((a, b) => a + b, 0)).toBe(big!.bytes);
    // The server writes in 8192-byte pieces (PostgreSQL's send buffer) and waits for 'drain' past the 16 KiB
    // socket buffer, so each piece leaves at once: 123 pieces of 6 segments (5 × 1460 + 892), then 3441 bytes in 3.
    expect(big!.segments.length).toBe(123 * 6 + 3);
    expect(Math.max(...big!.segments)).toBe(1460);
  });

  it('an ERROR fails the query with its SQLSTATE and leaves the connection usable', async () => {
    const { sim, app } = dbWorld();
    let error: unknown;
    let after: PgQueryResult | undefined;
    app.spawn('c', async (ctx) => {
      const conn = await pgConnect(ctx, { host: 'db' });
      error = await conn.query({ text: 'UPDATE t', error: '40001' }).catch((e: unknown) => e);
      after = await conn.query('SELECT 1');
      conn.end();
    });
    await sim.run();
    expect(error).toBeInstanceOf(PgError);
    expect({ ...(error as PgError), message: (error as PgError).message }).toMatchObject({ code: '40001', severity: 'ERROR', message: 'could not serialize access due to concurrent update' });
    expect(after).toEqual({ rows: 1, bytes: 34 + 111 + 14 + 6, command: 'SELECT 1' });
  });

  it('a malformed hint is a syntax error (42601) from the server; a bad query object is refused by the client', async () => {
    const { sim, app } = dbWorld();
    const errors: [string, string][] = [];
    app.spawn('c', async (ctx) => {
      const conn = await pgConnect(ctx, { host: 'db' });
      await conn.query('/*faultline rows=-1*/ SELECT').catch((e: PgError) => errors.push([e.code, e.message]));
      await conn.query({ text: 'SELECT', rows: 1.5 }).catch((e: SimError) => errors.push([e.code, e.message]));
      await conn.query({ text: 'SELECT', limit: 3 } as never).catch((e: SimError) => errors.push([e.code, e.message]));
      const empty = await conn.query('   ');
      errors.push(['empty', JSON.stringify(empty)]);
      conn.end();
    });
    await sim.run();
    expect(errors).toEqual([
      ['42601', "faultline hint: rows: expected an integer, got '-1'"],
      ['ERR_PG_QUERY', 'query.rows: expected an integer from 0 to 97612893, got 1.5'],
      ['ERR_PG_QUERY', 'query.limit: not a query field (fields: text, rows, rowBytes, costUs, id, error)'],
      ['empty', JSON.stringify({ rows: 0, bytes: 5 + 6, command: '' })],
    ]);
  });

  it('queries on one connection go one at a time, in order', async () => {
    const { sim, app } = dbWorld();
    const done: [string, number][] = [];
    app.spawn('c', async (ctx) => {
      const conn = await pgConnect(ctx, { host: 'db' });
      const t0 = ctx.now;
      await Promise.all(
        ['a', 'b', 'c'].map(async (name) => {
          await conn.query({ text: 'SELECT', costUs: 1000 });
          done.push([name, ctx.now - t0]);
        }),
      );
      conn.end();
    });
    await sim.run();
    // Each: 1 ms there, 1 ms of work, 1 ms back; the next is sent when the previous one's ReadyForQuery arrives.
    expect(done).toEqual([
      ['a', 3_000],
      ['b', 6_000],
      ['c', 9_000],
    ]);
  });

  it('a wrong password is FATAL 28P01 and rejects pgConnect; the right one connects', async () => {
    const { sim, app } = dbWorld({ db: { password: 's3cret' } });
    const out: string[] = [];
    app.spawn('c', async (ctx) => {
      const err = (await pgConnect(ctx, { host: 'db', user: 'app', password: 'guess' }).catch((e: unknown) => e)) as PgError;
      out.push(`${err.name} ${err.severity} ${err.code} ${err.message} @${ctx.now}`);
      const conn = await pgConnect(ctx, { host: 'db', user: 'app', password: 's3cret' });
      out.push(`ok pid ${conn.processId}`);
      conn.end();
    });
    await sim.run();
    expect(out).toEqual(['PgError FATAL 28P01 password authentication failed for user "app" @8000', 'ok pid 101']);
  });

  it('connectTimeoutMs fails a connect that takes longer with node-postgres\' message, at exactly that time', async () => {
    const { sim, app } = dbWorld({ db: { backendStartup: '5s' } });
    let out = '';
    app.spawn('c', async (ctx) => {
      const err = (await pgConnect(ctx, { host: 'db', connectTimeoutMs: 1000 }).catch((e: unknown) => e)) as PgClientError;
      out = `${err.code} ${err.message} @${ctx.now}`;
    });
    await sim.run();
    expect(out).toBe('PG_CONNECT_TIMEOUT Connection terminated due to connection timeout @1000000');
  });

  it('no server on the port: pgConnect rejects with the NetError ECONNREFUSED after one round trip', async () => {
    const { sim, app } = dbWorld();
    let out = '';
    app.spawn('c', async (ctx) => {
      const err = (await pgConnect(ctx, { host: 'db', port: 5433 }).catch((e: unknown) => e)) as NetError;
      out = `${err instanceof NetError} ${err.code} @${ctx.now}`;
    });
    await sim.run();
    expect(out).toBe('true ECONNREFUSED @2000');
  });

  it('a killed database: the OS closes the connection (FIN), in-flight and queued queries fail as terminated one link latency later', async () => {
    const { sim, app } = dbWorld();
    const out: string[] = [];
    app.spawn('c', async (ctx) => {
      const conn = await pgConnect(ctx, { host: 'db' });
      const queries = [conn.query({ text: 'SELECT', costUs: 1_000_000 }), conn.query('SELECT 2')].map((q) => q.then(() => 'ok', (e: NetError) => `${e.code} @${ctx.now}`));
      out.push(...(await Promise.all(queries)));
      out.push(`closed ${conn.closed} ${(conn.closeError as NetError).code}`);
    });
    sim.at('100ms', () => sim.host('db').kill());
    await sim.run();
    // The backend had read both queries, so its kernel closes the connection with a FIN: node-postgres's
    // "Connection terminated unexpectedly" for the query in flight and the one queued behind it.
    expect(out).toEqual(['PG_CONNECTION_TERMINATED @101000', 'PG_CONNECTION_TERMINATED @101000', 'closed true PG_CONNECTION_TERMINATED']);
  });

  it('a crashed database host: a query already sent and acknowledged waits forever (no keepalive, nothing to retransmit)', async () => {
    const { sim, app } = dbWorld();
    app.spawn('c', async (ctx) => {
      const conn = await pgConnect(ctx, { host: 'db' });
      await conn.query({ text: 'SELECT', costUs: 1_000_000 });
    });
    sim.at('100ms', () => sim.host('db').crash());
    const result = await sim.run({ until: '1h' });
    expect(result.stop).toBe('deadlock');
    expect(result.message).toContain('a query on app:32768>db:5432');
  });

  it('a crashed database host: a query sent afterwards fails with ETIMEDOUT only when TCP gives up (tcp_retries2 3)', async () => {
    const { sim, app, sink } = dbWorld({ tcp: { retries2: 3 } });
    let out = '';
    app.spawn('c', async (ctx) => {
      const conn = await pgConnect(ctx, { host: 'db' });
      await ctx.sleep('200ms');
      const err = (await conn.query('SELECT 1').catch((e: unknown) => e)) as NetError;
      out = `${err.code} @${ctx.now}`;
    });
    sim.at('100ms', () => sim.host('db').crash());
    await sim.run();
    // Sent at 208 ms; RTO 202.219 ms (Linux: srtt + max(4·rttvar, 200 ms)), doubling: resent at +1, +3, +7 RTOs,
    // given up when the 4th expires, at +15 RTOs.
    const rtoUs = 202_219;
    expect(records(sink, 'tcp.retransmit').map((r) => r.t)).toEqual([1, 3, 7].map((k) => 208_000 + k * rtoUs));
    expect(out).toBe(`ETIMEDOUT @${208_000 + 15 * rtoUs}`);
  });

  it('a stopped database (fast shutdown) sends FATAL 57P01 to its clients before closing', async () => {
    const { sim, app } = dbWorld();
    let out = '';
    app.spawn('c', async (ctx) => {
      const conn = await pgConnect(ctx, { host: 'db' });
      const err = (await conn.query({ text: 'SELECT', costUs: 1_000_000 }).catch((e: unknown) => e)) as PgError;
      out = `${err.severity} ${err.code} ${err.message} @${ctx.now}`;
    });
    sim.at('100ms', () => sim.host('db').stop());
    await sim.run();
    expect(out).toBe('FATAL 57P01 terminating connection due to administrator command @101000');
  });

  it('a server that closes without a word fails pending queries with "Connection terminated unexpectedly"', async () => {
    const { sim, app, db } = dbWorld();
    let out = '';
    app.spawn('c', async (ctx) => {
      const conn = await pgConnect(ctx, { host: 'db' });
      const err = (await conn.query({ text: 'SELECT', rows: 100_000, rowBytes: 100 }).catch((e: unknown) => e)) as PgClientError;
      out = `${err.code} ${err.message}`;
    });
    // Stopped mid-result: half a message may be on the wire, so the backend just closes.
    sim.at('25ms', () => sim.host('db').stop());
    await sim.run();
    expect(db.stats.queries).toBe(1);
    expect(out).toBe('PG_CONNECTION_TERMINATED Connection terminated unexpectedly');
  });

  it('query() after end() is refused with node-postgres\' message', async () => {
    const { sim, app } = dbWorld();
    let out = '';
    app.spawn('c', async (ctx) => {
      const conn = await pgConnect(ctx, { host: 'db' });
      conn.end();
      const err = (await conn.query('SELECT 1').catch((e: unknown) => e)) as PgClientError;
      out = `${err.code} ${err.message}`;
    });
    await sim.run();
    expect(out).toBe('PG_CONNECTION_CLOSED Client was closed and is not queryable');
  });

  it('pgConnectionFactory: a pool of sessions opens them, runs queries on leases, and Terminates them on shutdown', async () => {
    const { sim, app, db, sink } = dbWorld();
    const out: string[] = [];
    app.spawn('svc', async (ctx) => {
      const pool = new Pool<PgConnection>(ctx, { maximumPoolSize: 3 }, pgConnectionFactory(ctx, { host: 'db' }));
      await ctx.sleep('20ms');
      out.push(`open ${pool.totalConnections} db ${db.connections}`);
      const lease = await pool.acquire();
      const r = await lease.connection.query({ text: 'SELECT', rows: 2, rowBytes: 5 });
      lease.release();
      out.push(`rows ${r.rows}`);
      pool.shutdown();
      await ctx.sleep('10ms');
      out.push(`after shutdown db ${db.connections}`);
    });
    await sim.run();
    expect(out).toEqual(['open 3 db 3', 'rows 2', 'after shutdown db 0']);
    expect(records(sink, 'db.conn.end').map((r) => r.fields?.reason)).toEqual(['terminate', 'terminate', 'terminate']);
  });
});

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
