/**
 * Fault kinds, each declared once: its fields (a zod shape), what it targets, how it applies, what ends it,
 * how a trace reader draws the time it is in force, the chaos episode that draws it and the value a person
 * types for it in a form. The layer that owns a kind registers it (the network its link faults, the core its
 * host faults, the database `slow`); a user's module may register its own. Validation, fault schedules,
 * chaos, the visualizer's fault periods and its forms all read this one list.
 *
 * The core knows nothing of links or TCP: a kind's target is data here, and the network's kinds bring their
 * own selector fields and checks.
 */
import type { z } from 'zod';
import type { DistributionSpec } from './distribution.js';
import { SimError } from './errors.js';
import type { Simulation } from './simulation.js';

/** What a fault is applied to: a world (its simulation, its hosts, and the layers its kinds know). */
export interface FaultScope {
  readonly sim: Simulation;
  /** Host names in creation order: what a fault may name. */
  hostNames(): string[];
}

/** A fault as data: `{ kind, …fields }`. */
export type FaultData = { kind: string } & Record<string, unknown>;

/**
 * What a fault names. links: a selector `a` (b, oneWay optional); links?: the same, all optional (heal,
 * release: every link without one); host: one `host`; none: nothing (drain).
 */
export type FaultTarget = 'links' | 'links?' | 'host' | 'none';

/** The network's own link latency and loss: what the end of a loss or latency fault restores. */
export interface LinkBase {
  latency: DistributionSpec;
  loss: number;
}

/**
 * How a trace reader tells when a fault is in force, from the `fault` records it writes. Periods are kept per
 * group and per target (a directed link, a host, or the run):
 * - opens: starts a period of group `group` on its targets; closes: ends that group's periods on its targets;
 * - sets: a level on its targets (latency, loss): a change where the group is already set ends that period
 *   (the restore); elsewhere it starts one unless `neutral` says the value is the normal one;
 * - level: a host's level (slow ×factor): a new value ends the running period, and starts one unless neutral;
 * - lasts: in force for `durationUs(fault)` from its record;
 * - hostEvent: read from the `host.<kind>` record the core writes, whoever caused it (a fault or the scenario).
 */
export type PeriodRule =
  | { opens: string }
  | { closes: string }
  | { sets: string; neutral?: (fault: FaultData) => boolean }
  | { level: string; value: (fault: FaultData) => number; neutral: number }
  | { lasts: (fault: FaultData) => number }
  | { hostEvent: true };

/** A chaos episode: a fault that starts inside the fault window and the fault that ends it (FaultKind.end). */
export interface EpisodeRule {
  /** The episode's name in profiles (`episodes`, `hostsFor`); default the kind ('clog' for hold). */
  name?: string;
  /** Order among episodes (chaos draws kinds by their index in this order); default the kind's rank. */
  rank?: number;
  /**
   * For a host kind: whether its host is drawn from the profile's targets ('targets') or from a list of its
   * own (`hostsFor[name]` in the profile), which defaults to the targets, to none, or to the targets whose
   * roles include one of `roles` under the default profile (`slow` needs a slowable component: a database, a
   * service); a scenario's own profile names such hosts in hostsFor.
   */
  hosts?: 'targets' | { own: 'targets' | 'none' | { roles: string[] } };
  /** An integer drawn uniformly from [min, max] (shrinking toward min), passed to `start`. */
  value?: { min: number; max: number };
  /** The start fault's fields for a drawn value (kind and target are added). */
  fields?: (value: number) => Record<string, unknown>;
  /** The value in an episode's one-line description (' 5%', ' ×20'). */
  describeValue?: (value: number) => string;
}

/** The value a person types for a fault in a form (the fork bar, the schedule editor). */
export interface ValueField {
  /** The fault's field it fills. */
  field: string;
  label: string;
  defaultText: string;
  /** The text as the field's value; anything it cannot read is passed on for validation to name. */
  read(text: string): unknown;
}

export interface FaultKind<F extends { kind: string } = FaultData, S extends FaultScope = FaultScope> {
  readonly kind: string;
  /** Who declares it: 'net', 'host', 'database', or a user's module. */
  readonly layer: string;
  /** One line: what it does. */
  readonly summary: string;
  /** Order in lists (chaos draws, forms): the built-ins 10, 20, …; a kind without one comes after them. */
  readonly rank?: number;
  readonly target: FaultTarget;
  /** Fields besides `kind` (the target's included), as a zod shape whose messages are written for people. */
  readonly fields: Record<string, z.ZodType>;
  /** Checks zod cannot make (host names, a distribution that compiles); throws SimError naming `${where}.field`. */
  check?(fault: F, where: string, scope: S): void;
  /** Applies it now (its trace record is already written). */
  apply(fault: F, scope: S): void;
  /** One line for a trace reader ('loss 5% client | rest', 'slow db ×20'); default: the kind and its target. */
  describe?(fault: F): string;
  /** The fault that undoes this one (partition → heal, crash → restart); null or absent: none. */
  end?(fault: F, base: LinkBase | null): FaultData | null;
  /** How a trace reader draws the time it is in force; absent: an instant. */
  period?: PeriodRule;
  /** Its chaos episode; absent: chaos never draws it. */
  episode?: EpisodeRule;
  /** A person may add it from a form (the fork bar): with the value they type, if it takes one. */
  form?: { value: ValueField | null };
}

/** The rank a kind declared without one sorts at: after every built-in. */
const UNRANKED = 1_000_000;

const kinds = new Map<string, FaultKind>();
let ordered: FaultKind[] | null = null;
let episodeOrdered: FaultKind[] | null = null;

/**
 * Registers a kind (the owning layer does, when its module loads). Registering the same declaration again is
 * a no-op, so two copies of a module are harmless; a different declaration under a taken name is refused.
 */
export function registerFaultKind<F extends { kind: string }, S extends FaultScope>(kind: FaultKind<F, S>): FaultKind<F, S> {
  if (!/^[a-z][a-z0-9-]*$/.test(kind.kind)) throw new SimError('ERR_FAULT_KIND', `fault kind '${kind.kind}': use lower-case letters, digits and '-'`);
  const existing = kinds.get(kind.kind);
  if (existing && existing !== (kind as unknown as FaultKind)) {
    if (existing.layer === kind.layer && existing.summary === kind.summary) return kind;
    throw new SimError('ERR_FAULT_KIND', `fault kind '${kind.kind}' is already registered (by ${existing.layer})`);
  }
  kinds.set(kind.kind, kind as unknown as FaultKind);
  ordered = episodeOrdered = null;
  return kind;
}

/** The kind of this name, if registered. */
export function faultKind(name: string): FaultKind | undefined {
  return kinds.get(name);
}

/** Every registered kind, by rank then name: the same order whatever order their modules loaded in. */
export function faultKindList(): readonly FaultKind[] {
  ordered ??= [...kinds.values()].sort((a, b) => (a.rank ?? UNRANKED) - (b.rank ?? UNRANKED) || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
  return ordered;
}

/** Every registered kind's name, in list order. */
export function faultKindNames(): string[] {
  return faultKindList().map((k) => k.kind);
}

/** The name a kind's episode goes by in chaos profiles. */
export function episodeName(kind: FaultKind): string {
  return kind.episode?.name ?? kind.kind;
}

/** Kinds chaos may draw, in episode order. */
export function episodeKindList(): readonly FaultKind[] {
  const rankOf = (k: FaultKind) => k.episode?.rank ?? k.rank ?? UNRANKED;
  episodeOrdered ??= faultKindList()
    .filter((k) => k.episode !== undefined)
    .sort((a, b) => rankOf(a) - rankOf(b) || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
  return episodeOrdered;
}

/** The kind whose episode has this name. */
export function kindOfEpisode(name: string): FaultKind | undefined {
  return episodeKindList().find((k) => episodeName(k) === name);
}

/** A number typed in a form, read as one; anything else is passed on for the fault's check to name. */
export function numberOrText(text: string): number | string {
  const trimmed = text.trim();
  return trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
}
