/**
 * Seeded randomness: a root seed derives named, independent streams.
 *
 * Each stream is its own generator seeded from (root seed, stream name), so creating a stream, or drawing
 * from one, never moves another: adding a host, an actor or a fault to a scenario leaves every existing
 * draw where it was. seedrandom's Alea generator underneath (fast, 2^116 period, portable across engines).
 */
import seedrandom from 'seedrandom';
import { SimError } from './errors.js';

/** A root seed as a user gives it. Integers and strings are both fine; 7 and '7' are the same seed. */
export type Seed = number | string;

/** The canonical text of a seed, the key every stream derives from. */
export function seedKey(seed: Seed): string {
  if (typeof seed === 'number') {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed: ${seed} is not an integer`);
    return String(seed);
  }
  if (typeof seed !== 'string' || seed.length === 0) throw new RangeError('seed: expected an integer or a non-empty string');
  return seed;
}

type Prng = seedrandom.PRNG;

/** One named stream of random draws. */
export class RandomStream {
  /** Draws made so far (each `next()` is one draw; a distribution sample may take several). */
  draws = 0;
  private readonly prng: Prng;

  constructor(
    readonly name: string,
    rootKey: string,
  ) {
    // NUL cannot appear in a CLI seed, so 'a' + 'b/c' and 'a/b' + 'c' derive different streams.
    this.prng = seedrandom.alea(`${rootKey}\u0000${name}`);
  }

  /** Uniform in [0, 1) with 53 bits of precision. */
  next(): number {
    this.draws++;
    return this.prng.double();
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError(`stream ${this.name}: pick from an empty array`);
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** A 32-bit unsigned draw, as the unseed uses. */
  uint32(): number {
    this.draws++;
    return this.prng.int32() >>> 0;
  }
}

/** The root of a run's randomness: the seed and every stream derived from it. */
export class Randomness {
  readonly key: string;
  private readonly streams = new Map<string, RandomStream>();
  /** Who claimed each stream (claim()): the part of the run that holds it for its own draws. */
  private readonly owners = new Map<string, object>();

  constructor(readonly seed: Seed) {
    this.key = seedKey(seed);
  }

  /** The stream of this name, created on first use; the same name always gives the same stream object. */
  stream(name: string): RandomStream {
    let s = this.streams.get(name);
    if (s === undefined) {
      s = new RandomStream(name, this.key);
      this.streams.set(name, s);
    }
    return s;
  }

  /**
   * The stream of this name for `owner` alone (a pool's lifetime jitter, owned by the actor incarnation that
   * made the pool). The same owner claiming a name twice is refused with ERR_STREAM_CLAIMED: two of its parts
   * (two pools of one name) would share one sequence, so each one's draws would depend on the other's. Another
   * owner may take the name over (a restarted process's pool goes on with the stream, as it always has).
   */
  claim(name: string, owner: object): RandomStream {
    if (this.owners.get(name) === owner) throw new SimError('ERR_STREAM_CLAIMED', `random stream '${name}' is claimed twice by one owner: two parts would share its draws (give each its own name)`);
    this.owners.set(name, owner);
    return this.stream(name);
  }

  /** Streams created so far, by name in UTF-16 code-unit order (never by hash or creation timing). */
  usage(): { name: string; draws: number }[] {
    return [...this.streams.values()]
      .map((s) => ({ name: s.name, draws: s.draws }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * FoundationDB's "unseed": one draw taken at the end of a run, which two runs of the same seed must agree on.
   * FoundationDB has a single generator, so its last draw reflects every draw before it. faultline's streams
   * are independent, so the final draw comes from a root stream keyed by the seed, every stream's name and
   * draw count, and the end time: a run that drew a different number of times anywhere (even in code that
   * writes no trace) ends with a different unseed. 16 hex digits.
   */
  unseed(endUs: number): string {
    const folded = this.usage()
      .map((u) => `${u.name}=${u.draws}`)
      .join('\u0000');
    const root = new RandomStream(`unseed\u0000${endUs}\u0000${folded}`, this.key);
    return hex8(root.uint32()) + hex8(root.uint32());
  }
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}
