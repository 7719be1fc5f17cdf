import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { flowLayers, flowOrder } from '../../viz/model/flow-order.js';

describe('flow order', () => {
  it('puts hosts in the direction requests go, whatever order they appeared in', () => {
    const links = [['service', 'db'], ['gateway', 'service'], ['client', 'gateway']] as const;
    expect(flowOrder(['db', 'service', 'gateway', 'client'], links)).toEqual(['client', 'gateway', 'service', 'db']);
  });

  it('layers replicas side by side and places a host by its longest chain', () => {
    const links = [['lb', 'a'], ['lb', 'b'], ['a', 'db'], ['b', 'db'], ['lb', 'db']] as const;
    expect(flowLayers(['db', 'b', 'a', 'lb', 'lonely'], links)).toEqual([['lb', 'lonely'], ['b', 'a'], ['db']]);
  });

  it('cuts a cycle at the link that closes it', () => {
    expect(flowLayers(['a', 'b', 'c'], [['a', 'b'], ['b', 'c'], ['c', 'a']])).toEqual([['a'], ['b'], ['c']]);
  });

  const graph = fc.integer({ min: 1, max: 8 }).chain((n) =>
    fc.tuple(fc.constant(Array.from({ length: n }, (_, i) => `h${i}`)), fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 20 })),
  );
  test.prop([graph])('lists every host once, in non-empty layers, cycles or not', ([hosts, pairs]) => {
    const layers = flowLayers(hosts, pairs.map(([i, j]) => [hosts[i]!, hosts[j]!] as const));
    expect([...layers.flat()].sort()).toEqual([...hosts].sort());
    expect(layers.every((l) => l.length > 0)).toBe(true);
  });

  test.prop([graph])('sends every link of an acyclic graph to a later layer', ([hosts, pairs]) => {
    // Links only from a lower to a higher index: no cycle, whatever order the hosts are listed in.
    const links = pairs.filter(([i, j]) => i < j).map(([i, j]) => [hosts[i]!, hosts[j]!] as const);
    const shuffled = [...hosts].reverse();
    const layerOf = new Map(flowLayers(shuffled, links).flatMap((l, k) => l.map((h) => [h, k] as const)));
    for (const [a, b] of links) expect(layerOf.get(b)!).toBeGreaterThan(layerOf.get(a)!);
  });
});
