import { describe, expect, it } from 'vitest';
import { CircuitBreaker, resilience4jDefaults, type BreakerState } from '../../sim/actors/circuit-breaker.js';

describe('circuit breaker (Resilience4j count-based semantics)', () => {
  it('has Resilience4j defaults: 50% over 100 calls (minimum 100), 60 s open, 10 half-open trials', () => {
    expect(resilience4jDefaults).toEqual({ failureRatePercent: 50, windowCalls: 100, minimumCalls: 100, openMs: 60_000, halfOpenCalls: 10 });
  });

  it('stays closed below minimumCalls however bad, opens at the threshold, and rejects until openMs has passed', () => {
    const transitions: [BreakerState, BreakerState][] = [];
    const b = new CircuitBreaker({}, (from, to) => transitions.push([from, to]));
    for (let i = 0; i < 99; i++) {
      expect(b.tryAcquire(i)).toBe(true);
      b.onResult(i, true);
    }
    expect(b.state).toBe('closed');
    b.tryAcquire(99);
    b.onResult(99, true);
    expect(b.state).toBe('open');
    expect(b.tryAcquire(99 + 60_000_000 - 1)).toBe(false);
    expect(b.tryAcquire(99 + 60_000_000)).toBe(true);
    expect(b.state).toBe('half-open');
    expect(transitions).toEqual([
      ['closed', 'open'],
      ['open', 'half-open'],
    ]);
  });

  it('49% failures keep it closed; exactly 50% opens it (the threshold is inclusive)', () => {
    const run = (failures: number) => {
      const b = new CircuitBreaker({ windowCalls: 100, minimumCalls: 100 });
      for (let i = 0; i < 100; i++) {
        b.tryAcquire(0);
        b.onResult(0, i < failures);
      }
      return b.state;
    };
    expect(run(49)).toBe('closed');
    expect(run(50)).toBe('open');
  });

  it('the window slides: old failures age out of it', () => {
    const b = new CircuitBreaker({ windowCalls: 10, minimumCalls: 10 });
    for (let i = 0; i < 4; i++) b.onResult(0, true);
    for (let i = 0; i < 20; i++) b.onResult(0, false);
    for (let i = 0; i < 4; i++) b.onResult(0, true);
    expect(b.state).toBe('closed'); // 4 of the last 10
    b.onResult(0, true);
    expect(b.state).toBe('open'); // 5 of the last 10
  });

  it('half-open lets exactly halfOpenCalls trials through, then re-opens on their failure rate or closes', () => {
    const b = new CircuitBreaker({ windowCalls: 4, minimumCalls: 4, openMs: 1, halfOpenCalls: 3 });
    for (let i = 0; i < 4; i++) b.onResult(0, true);
    expect(b.state).toBe('open');
    expect([b.tryAcquire(1000), b.tryAcquire(1000), b.tryAcquire(1000), b.tryAcquire(1000)]).toEqual([true, true, true, false]);
    b.onResult(1000, false);
    b.onResult(1000, true);
    b.onResult(1000, true); // 2 of 3 failed
    expect(b.state).toBe('open');
    expect(b.tryAcquire(2000)).toBe(true);
    b.tryAcquire(2000);
    b.tryAcquire(2000);
    for (let i = 0; i < 3; i++) b.onResult(2000, false);
    expect(b.state).toBe('closed');
  });

  it('bad options name the field', () => {
    expect(() => new CircuitBreaker({ failureRatePercent: 0 })).toThrow('circuitBreaker.failureRatePercent: expected a number in (0, 100], got 0');
    expect(() => new CircuitBreaker({ windowCalls: 0 })).toThrow('circuitBreaker.windowCalls: expected a positive integer, got 0');
  });
});
