/**
 * NewReno congestion control (RFC 5681 slow start and congestion avoidance, RFC 6582 fast recovery),
 * counted in segments as Linux counts snd_cwnd. This is what turns loss into latency and lost throughput.
 */
export class NewReno {
  /** Congestion window, segments. */
  cwnd: number;
  /** Slow-start threshold, segments. */
  ssthresh = Number.MAX_SAFE_INTEGER;
  /** In fast recovery until an ACK covers `recover`. */
  inRecovery = false;
  /** Highest sequence number sent when recovery began (RFC 6582 "recover"). */
  recover = 0;
  /** Acked segments counted towards the next congestion-avoidance increase (Linux snd_cwnd_cnt). */
  private cwndCount = 0;

  constructor(initialCwndSegments: number) {
    this.cwnd = initialCwndSegments;
  }

  /** New data acknowledged outside recovery: grow the window. */
  onAck(ackedSegments: number): void {
    let acked = ackedSegments;
    if (this.cwnd < this.ssthresh) {
      const room = this.ssthresh - this.cwnd;
      const grow = Math.min(acked, room);
      this.cwnd += grow;
      acked -= grow;
      if (acked === 0) return;
    }
    // Congestion avoidance: one segment per window of acknowledged segments (tcp_cong_avoid_ai).
    this.cwndCount += acked;
    if (this.cwndCount >= this.cwnd) {
      const delta = Math.floor(this.cwndCount / this.cwnd);
      this.cwndCount -= delta * this.cwnd;
      this.cwnd += delta;
    }
  }

  /** Three duplicate ACKs: halve, and enter fast recovery until `highestSent` is acknowledged. */
  enterFastRecovery(highestSent: number): void {
    this.ssthresh = Math.max(this.cwnd >> 1, 2);
    this.cwnd = this.ssthresh + 3;
    this.cwndCount = 0;
    this.inRecovery = true;
    this.recover = highestSent;
  }

  /** A further duplicate ACK in recovery: a segment has left the network. */
  onDupAckInRecovery(): void {
    this.cwnd += 1;
  }

  /** A partial ACK in recovery (RFC 6582 §3.2 step 5): deflate by what was acked, add one back. */
  onPartialAck(ackedSegments: number): void {
    this.cwnd = Math.max(1, this.cwnd - ackedSegments + 1);
  }

  /** A full ACK ends recovery with the window at ssthresh. */
  exitRecovery(): void {
    this.cwnd = this.ssthresh;
    this.inRecovery = false;
  }

  /** The retransmission timer expired: a loss window of one segment, then slow start. */
  onTimeout(): void {
    this.ssthresh = Math.max(this.cwnd >> 1, 2);
    this.cwnd = 1;
    this.cwndCount = 0;
    this.inRecovery = false;
  }
}
