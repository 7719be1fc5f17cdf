/**
 * The source scan for real randomness, real time, real timers and Node-only modules, read from the syntax tree
 * (vite's parser: `typescript` 7 is the native compiler, whose package has no `createSourceFile`). Unlike a
 * regex it follows the ways code reaches a global: `Math.random`, `Math['random']`, `globalThis.Math.random`,
 * `const M = Math; M.random()`, `const r = Math.random`, `const { random } = Math`, `new D()` for `const D =
 * Date`; and it ignores comments, strings, type positions and members of other objects (`socket.setTimeout`,
 * Node's socket idle timeout, which runs on the simulated clock).
 *
 * Aliases are tracked by name over the whole file, not by scope: a local that shadows `M` still counts. That
 * errs on the side of a finding, which an allowance can then explain.
 */
import { parseAst } from 'vite';

export interface Finding {
  /** What was reached: 'Math.random', 'Date.now', 'new Date()', 'setTimeout'… */
  what: string;
  /** 1-based line of the source. */
  line: number;
}

type Node = { type: string; start: number; end: number; [key: string]: unknown };

/** Globals whose members are sources, with the members that are; '*' stands for calling or constructing it. */
const SOURCES: Record<string, readonly string[]> = {
  Math: ['random'],
  Date: ['now', '*'],
  performance: ['now', 'timeOrigin'],
  process: ['hrtime', 'uptime'],
  crypto: ['getRandomValues', 'randomUUID', 'randomBytes'],
};
/** Globals that are sources when referred to at all. */
const FUNCTIONS = ['setTimeout', 'setInterval', 'setImmediate'];
/** Names under which the global object itself is reached. */
const GLOBAL_OBJECTS = ['globalThis', 'window', 'self', 'global'];
/** Modules sim/ must not import (it runs in the browser too). */
const NODE_ONLY = /^(node:|fs$|path$|os$|child_process$|worker_threads$|crypto$|perf_hooks$|timers$)/;

/** TypeScript nodes that hold a value (the rest are types, which run nothing). */
const TS_VALUES = new Set(['TSAsExpression', 'TSNonNullExpression', 'TSSatisfiesExpression', 'TSTypeAssertion', 'TSInstantiationExpression']);

export function scanSource(source: string, lang: 'ts' | 'js' = 'ts'): Finding[] {
  const ast = parseAst(source, { lang }) as unknown as Node;
  const lineOf = lineIndex(source);
  const findings: Finding[] = [];
  const hit = (what: string, node: Node) => findings.push({ what, line: lineOf(node.start) });

  // Names that stand for a global: the global's own name, and any `const x = <global or its alias>`.
  const alias = new Map<string, string>([...Object.keys(SOURCES), ...FUNCTIONS, ...GLOBAL_OBJECTS].map((n) => [n, n]));
  const declarators: Node[] = [];
  walk(ast, null, (node) => {
    if (node.type === 'VariableDeclarator') declarators.push(node);
  });
  for (let changed = true; changed; ) {
    changed = false;
    for (const d of declarators) {
      const id = d.id as Node;
      const target = d.init ? globalOf(d.init as Node, alias) : null;
      if (id.type === 'Identifier' && target !== null && alias.get(id.name as string) !== target) {
        alias.set(id.name as string, target);
        changed = true;
      }
    }
  }

  walk(ast, null, (node, parent) => {
    switch (node.type) {
      case 'MemberExpression': {
        const owner = globalOf(node.object as Node, alias);
        const member = memberName(node);
        if (owner !== null && member !== null && SOURCES[owner]?.includes(member)) hit(`${owner}.${member}`, node);
        break;
      }
      case 'VariableDeclarator': {
        // const { random } = Math
        const id = node.id as Node;
        const owner = node.init ? globalOf(node.init as Node, alias) : null;
        if (id.type === 'ObjectPattern' && owner !== null) {
          for (const p of id.properties as Node[]) {
            const key = p.type === 'Property' ? keyName(p) : null;
            if (key !== null && (SOURCES[owner]?.includes(key) || (GLOBAL_OBJECTS.includes(owner) && (FUNCTIONS.includes(key) || key in SOURCES)))) hit(`${owner}.${key}`, p);
          }
        }
        break;
      }
      case 'NewExpression':
      case 'CallExpression': {
        const callee = globalOf(node.callee as Node, alias);
        if (callee === 'Date' && (node.type === 'CallExpression' || (node.arguments as Node[]).length === 0)) hit(node.type === 'CallExpression' ? 'Date()' : 'new Date()', node);
        break;
      }
      case 'Identifier': {
        const target = alias.get(node.name as string);
        if (target !== undefined && FUNCTIONS.includes(target) && isReference(node, parent)) hit(target, node);
        break;
      }
      case 'ImportDeclaration':
      case 'ImportExpression':
      case 'ExportAllDeclaration':
      case 'ExportNamedDeclaration': {
        const from = (node.source as Node | null)?.value;
        if (typeof from === 'string' && NODE_ONLY.test(from)) hit(`import '${from}'`, node);
        break;
      }
    }
  });
  // A member of the global object that is a function source (globalThis.setTimeout) is an Identifier under a
  // MemberExpression, which isReference leaves out: say it here.
  walk(ast, null, (node) => {
    if (node.type !== 'MemberExpression') return;
    const member = memberName(node);
    if (member !== null && FUNCTIONS.includes(member) && globalOf(node.object as Node, alias) !== null && GLOBAL_OBJECTS.includes(globalOf(node.object as Node, alias)!)) hit(member, node);
  });
  return findings.sort((a, b) => a.line - b.line || (a.what < b.what ? -1 : 1));
}

/** The global an expression stands for (through aliases and the global object), or null. */
function globalOf(node: Node, alias: Map<string, string>): string | null {
  node = unwrap(node);
  if (node.type === 'Identifier') return alias.get(node.name as string) ?? null;
  if (node.type === 'MemberExpression') {
    const owner = globalOf(node.object as Node, alias);
    const member = memberName(node);
    if (owner !== null && member !== null && GLOBAL_OBJECTS.includes(owner) && (member in SOURCES || FUNCTIONS.includes(member) || GLOBAL_OBJECTS.includes(member))) return member;
  }
  return null;
}

function unwrap(node: Node): Node {
  while (TS_VALUES.has(node.type) || node.type === 'ParenthesizedExpression' || node.type === 'ChainExpression') node = node.expression as Node;
  return node;
}

/** `a.b` or `a['b']`: 'b'; a computed member that is not a string literal: null. */
function memberName(node: Node): string | null {
  const p = node.property as Node;
  if (!node.computed && p.type === 'Identifier') return p.name as string;
  if (node.computed && p.type === 'Literal' && typeof p.value === 'string') return p.value;
  return null;
}

function keyName(p: Node): string | null {
  const k = p.key as Node;
  if (!p.computed && k.type === 'Identifier') return k.name as string;
  if (k.type === 'Literal' && typeof k.value === 'string') return k.value;
  return null;
}

/** An identifier that reads a variable (not a property name, a member after a dot, a declaration's name). */
function isReference(node: Node, parent: Node | null): boolean {
  if (parent === null) return true;
  if (parent.type === 'MemberExpression' && parent.property === node && !parent.computed) return false;
  if ((parent.type === 'Property' || parent.type === 'MethodDefinition' || parent.type === 'PropertyDefinition') && parent.key === node && !parent.computed) return parent.type === 'Property' && parent.shorthand === true && parent.value === node;
  if (parent.type === 'VariableDeclarator' && parent.id === node) return false;
  if ((parent.type === 'FunctionDeclaration' || parent.type === 'FunctionExpression' || parent.type === 'ClassDeclaration') && parent.id === node) return false;
  return true;
}

function walk(node: unknown, parent: Node | null, visit: (node: Node, parent: Node | null) => void): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const n of node) walk(n, parent, visit);
    return;
  }
  const n = node as Node;
  if (typeof n.type === 'string') {
    if (n.type.startsWith('TS') && !TS_VALUES.has(n.type)) return; // a type: runs nothing
    if (n.type === 'TSTypeAnnotation') return;
    visit(n, parent);
  }
  for (const [key, value] of Object.entries(n)) if (key !== 'typeAnnotation' && key !== 'returnType' && key !== 'typeArguments' && key !== 'typeParameters' && value !== null && typeof value === 'object') walk(value, typeof n.type === 'string' ? n : parent, visit);
}

function lineIndex(source: string): (offset: number) => number {
  const starts = [0];
  for (let i = 0; i < source.length; i++) if (source[i] === '\n') starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}
