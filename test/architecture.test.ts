// The shape of src/ as the README's Architecture section describes it: no
// import cycles, the leaves never reach into the conductor, and no function
// so long that a reader must scroll through several ideas.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { repoRoot } from './support/ship-repo.js';

const SRC = path.join(repoRoot(), 'src');
const MAX_FUNCTION_LINES = 80;
/** Functions allowed past the limit, each with the one-sentence reason. */
const LONG_FUNCTION_REASONS: Record<string, string> = {
  'config.ts:loadConfig': 'one line per environment variable, in the order the README lists them; split, the list would scatter',
  'ops/status.ts:buildStatusView': 'one line per /api/status key: the shape of the contract is easiest to check in one place',
};

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Relative imports of a file (static, type-only, re-exports and dynamic), as absolute .ts paths. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g)].map((m) => m[1] ?? m[2] ?? '');
  return specs.map((s) => path.resolve(path.dirname(file), s.replace(/\.js$/, '.ts')));
}

/** Relative imports that bring values (not `import type`), as absolute .ts paths. */
function valueImportsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*import\s+(?!type\s)[^;]*?from\s+'(\.[^']+)'/g)].map((m) => m[1] ?? '');
  return specs.map((s) => path.resolve(path.dirname(file), s.replace(/\.js$/, '.ts')));
}

export function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): void => {
    state.set(n, 'active');
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (!graph.has(m)) continue;
      if (state.get(m) === 'active') cycles.push([...stack.slice(stack.indexOf(m)), m]);
      else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of graph.keys()) if (!state.has(n)) visit(n);
  return cycles;
}

function srcGraph(): Map<string, string[]> {
  return new Map(tsFiles(SRC).map((f) => [f, importsOf(f)]));
}

const rel = (f: string) => path.relative(SRC, f);

describe('architecture of src/', () => {
  it('the cycle finder finds a cycle (self-check)', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    assert.deepEqual(findCycles(g), [['a', 'b', 'c', 'a']]);
  });

  it('has no import cycles (type-only imports included)', () => {
    const cycles = findCycles(srcGraph()).map((c) => c.map(rel).join(' → '));
    assert.deepEqual(cycles, []);
  });

  it('every relative import resolves to a file', () => {
    const missing = [...srcGraph()].flatMap(([f, deps]) => deps.filter((d) => !fs.existsSync(d)).map((d) => `${rel(f)} → ${rel(d)}`));
    assert.deepEqual(missing, []);
  });

  it('data flows one way: core and exchange never import ops, frontends, stats or tools; nothing imports the conductor but the tools', () => {
    const wrong: string[] = [];
    for (const [f, deps] of srcGraph()) {
      const from = rel(f);
      for (const d of deps.map(rel)) {
        if (/^(core|exchange|util|persistence)\//.test(from) && /^(ops|frontends|stats|tools)\//.test(d)) wrong.push(`${from} → ${d}`);
        if (/^(ops|frontends|stats)\//.test(from) && d === 'bot.ts') wrong.push(`${from} → ${d}`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('the backtest engine reaches neither the conductor nor the front ends (it runs the Trader alone, in little memory)', () => {
    const graph = srcGraph();
    const reached = new Set<string>();
    const walk = (f: string): void => {
      if (reached.has(f)) return;
      reached.add(f);
      for (const d of graph.get(f) ?? []) walk(d);
    };
    walk(path.join(SRC, 'tools/backtest/engine.ts'));
    const wrong = [...reached].map(rel).filter((f) => f === 'bot.ts' || /^frontends\//.test(f));
    assert.deepEqual(wrong, []);
  });

  it('front ends go through ops: no value imports from core (but its limits) or the exchange', () => {
    const wrong: string[] = [];
    for (const file of tsFiles(path.join(SRC, 'frontends'))) {
      for (const d of valueImportsOf(file).map(rel)) {
        if ((d.startsWith('core/') && d !== 'core/limits.ts') || d.startsWith('exchange/')) wrong.push(`${rel(file)} → ${d}`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it(`no function is longer than ${MAX_FUNCTION_LINES} lines unless its reason is written down`, () => {
    const long: string[] = [];
    const seen = new Set<string>();
    for (const file of tsFiles(SRC)) {
      const sf = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
      const visit = (n: ts.Node): void => {
        if (ts.isFunctionLike(n) && 'body' in n && n.body) {
          const start = sf.getLineAndCharacterOfPosition(n.getStart()).line;
          const end = sf.getLineAndCharacterOfPosition(n.end).line;
          const parent = n.parent;
          const name = n.name ? n.name.getText() : parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) ? parent.name.getText() : '(anonymous)';
          const key = `${rel(file)}:${name}`;
          if (end - start + 1 > MAX_FUNCTION_LINES) {
            seen.add(key);
            if (!LONG_FUNCTION_REASONS[key]) long.push(`${key} (${end - start + 1} lines)`);
          }
        }
        ts.forEachChild(n, visit);
      };
      visit(sf);
    }
    assert.deepEqual(long, []);
    assert.deepEqual(Object.keys(LONG_FUNCTION_REASONS).filter((k) => !seen.has(k)), [], 'reasons for functions that are no longer long: remove them');
  });
});
