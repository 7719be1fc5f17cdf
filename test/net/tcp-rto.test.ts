import { describe, expect, it } from 'vitest';
import { linuxTcpDefaults, resolveTcpOptions } from '../../sim/net/tcp/options.js';
import { RtoEstimator, retransmitTimeoutUs } from '../../sim/net/tcp/rto.js';
import { NewReno } from '../../sim/net/tcp/newreno.js';

describe('RTO estimation (RFC 6298 with the Linux variant; worked examples from shared/reference/linux-tcp.md)', () => {
  it("linux: a first sample R = 100 ms gives max(3R, R + 200 ms) = 300 ms; then R' = 120 ms gives RTTVAR 42.5, SRTT 102.5, RTO 302.5 ms", () => {
    const rto = new RtoEstimator(resolveTcpOptions({}));
    expect(rto.rtoUs).toBe(1_000_000); // before any sample: TCP_TIMEOUT_INIT
    rto.sample(100_000);
    expect(rto.rtoUs).toBe(300_000);
    rto.sample(120_000);
    expect(rto.rttvarUs).toBe(42_500);
    expect(rto.srttUs).toBe(102_500);
    expect(rto.rtoUs).toBe(302_500); // 102.5 + max(200, 4 × 42.5 = 170)
  });

  it('linux: a short RTT is floored by the 200 ms variance term, a long one is 3R', () => {
    const short = new RtoEstimator(resolveTcpOptions({}));
    short.sample(1_000);
    expect(short.rtoUs).toBe(201_000);
    const long = new RtoEstimator(resolveTcpOptions({}));
    long.sample(400_000);
    expect(long.rtoUs).toBe(1_200_000);
  });

  it('rfc6298: the same samples give SRTT + 4·RTTVAR (300, then 272.5 ms), floored at 1 s', () => {
    const rto = new RtoEstimator(resolveTcpOptions({ rtoEstimator: 'rfc6298' }));
    rto.sample(100_000);
    expect(rto.rtoUs).toBe(1_000_000);
    rto.sample(120_000);
    expect(rto.srttUs! + 4 * rto.rttvarUs).toBe(272_500);
    expect(rto.rtoUs).toBe(1_000_000);
    rto.sample(2_000_000);
    expect(rto.rtoUs).toBe(Math.round(rto.srttUs! + 4 * rto.rttvarUs));
  });

  it('backoff doubles up to the 120 s ceiling and a new sample clears it', () => {
    const rto = new RtoEstimator(resolveTcpOptions({}));
    const seen: number[] = [];
    for (let i = 0; i < 9; i++) {
      rto.backoff();
      seen.push(rto.rtoUs / 1000);
    }
    expect(seen).toEqual([2000, 4000, 8000, 16000, 32000, 64000, 120000, 120000, 120000]);
    rto.sample(100_000);
    expect(rto.rtoUs).toBe(300_000);
  });

  it('gives up after tcp_model_timeout: retries2 = 15 from 200 ms is 924.6 s; 6 SYN retries from 1 s is 127 s', () => {
    expect(retransmitTimeoutUs(15, 200_000, 120_000_000)).toBe(924_600_000);
    expect(retransmitTimeoutUs(6, 1_000_000, 120_000_000)).toBe(127_000_000);
    expect(retransmitTimeoutUs(3, 200_000, 120_000_000)).toBe(3_000_000);
  });
});

describe('NewReno', () => {
  it('slow start doubles per round trip from 10 segments, congestion avoidance adds one per window', () => {
    const cc = new NewReno(linuxTcpDefaults.initialCwndSegments);
    cc.onAck(10);
    expect(cc.cwnd).toBe(20);
    cc.ssthresh = 20;
    cc.onAck(10);
    expect(cc.cwnd).toBe(20);
    cc.onAck(10);
    expect(cc.cwnd).toBe(21);
  });

  it('three duplicate ACKs halve the window; a full ACK ends recovery at ssthresh; a timeout drops to one segment', () => {
    const cc = new NewReno(40);
    cc.enterFastRecovery(1000);
    expect([cc.ssthresh, cc.cwnd, cc.inRecovery]).toEqual([20, 23, true]);
    cc.onDupAckInRecovery();
    expect(cc.cwnd).toBe(24);
    cc.onPartialAck(3);
    expect(cc.cwnd).toBe(22);
    cc.exitRecovery();
    expect([cc.cwnd, cc.inRecovery]).toEqual([20, false]);
    cc.onTimeout();
    expect([cc.ssthresh, cc.cwnd]).toEqual([10, 1]);
  });
});

describe('TCP options', () => {
  it('are the Linux defaults unless set', () => {
    const o = resolveTcpOptions({});
    expect([o.synRetries, o.synackRetries, o.retries2, o.timeWaitMs, o.keepAliveTimeMs, o.keepAliveIntervalMs, o.keepAliveProbes, o.initialCwndSegments, o.mssBytes, o.minRtoMs, o.maxRtoMs]).toEqual([
      6, 5, 15, 60_000, 7_200_000, 75_000, 9, 10, 1460, 200, 120_000,
    ]);
  });

  it('refuse a bad value with a one-line error naming the option', () => {
    expect(() => resolveTcpOptions({ synRetries: -1 })).toThrow('tcp.synRetries: expected a non-negative integer, got -1');
    expect(() => resolveTcpOptions({ mssBytes: 0 })).toThrow('tcp.mssBytes: expected a positive integer, got 0');
    expect(() => resolveTcpOptions({ bogus: 1 } as never)).toThrow(/tcp.bogus: not a TCP option/);
    expect(() => resolveTcpOptions({ rtoEstimator: 'bsd' as never })).toThrow("tcp.rtoEstimator: expected 'linux' or 'rfc6298', got \"bsd\"");
  });
});
