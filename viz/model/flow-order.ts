/**
 * Hosts in the order requests flow through them: a host that opens connections to another comes before it
 * (client, gateway, service, db), so lanes and layers read in the direction traffic goes rather than in the
 * order hosts happened to appear in the trace.
 *
 * API:
 *   flowLayers(hosts, links)   layers (each in the hosts' given order): a host's layer is the longest chain
 *                              of initiator → acceptor links leading to it; a cycle is cut at the link that
 *                              closes it; hosts without links go in layer 0
 *   flowOrder(hosts, links)    the layers, concatenated
 */
export function flowLayers(hosts: readonly string[], links: readonly (readonly [string, string])[]): string[][] {
  const index = new Map(hosts.map((h, i) => [h, i]));
  const out: number[][] = hosts.map(() => []);
  for (const [a, b] of links) {
    const i = index.get(a);
    const j = index.get(b);
    if (i !== undefined && j !== undefined && i !== j && !out[i]!.includes(j)) out[i]!.push(j);
  }
  // Depth-first in the given order; an edge back to a host still on the stack closes a cycle and is dropped.
  const kept: number[][] = hosts.map(() => []);
  const state = new Uint8Array(hosts.length); // 0 unseen, 1 on the stack, 2 done
  const visit = (i: number): void => {
    state[i] = 1;
    for (const j of out[i]!) {
      if (state[j] === 1) continue;
      kept[i]!.push(j);
      if (state[j] === 0) visit(j);
    }
    state[i] = 2;
  };
  for (let i = 0; i < hosts.length; i++) if (state[i] === 0) visit(i);
  // Longest path from a source, relaxed in topological order (reverse post-order of the kept edges).
  const order: number[] = [];
  const seen = new Uint8Array(hosts.length);
  const post = (i: number): void => {
    seen[i] = 1;
    for (const j of kept[i]!) if (!seen[j]) post(j);
    order.push(i);
  };
  for (let i = 0; i < hosts.length; i++) if (!seen[i]) post(i);
  const layer = new Int32Array(hosts.length);
  for (let k = order.length - 1; k >= 0; k--) {
    const i = order[k]!;
    for (const j of kept[i]!) layer[j] = Math.max(layer[j]!, layer[i]! + 1);
  }
  const layers: string[][] = [];
  hosts.forEach((h, i) => (layers[layer[i]!] ??= []).push(h));
  return layers.filter((l) => l !== undefined);
}

export function flowOrder(hosts: readonly string[], links: readonly (readonly [string, string])[]): string[] {
  return flowLayers(hosts, links).flat();
}
