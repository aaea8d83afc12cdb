// Build step for the dashboard's browser script (plain Node, no dependency).
// `tsc -p tsconfig.dashboard.json` compiles src/frontends/http/dashboard/client/
// to ES modules under dist/dashboard-client/; this bundles them, starting from
// the entry module, into one classic script for the page's single nonced
// <script>: each module becomes a function scope that returns its exports, in
// dependency order, and its imports become reads of those results. Only the
// plain module syntax tsc emits for our own files is accepted (named imports
// and exports); anything else fails the build rather than the page.
//
//   node dist/src/frontends/http/dashboard/build-client.js [compiledRoot] [entry] [out]
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';
import { CLIENT_BUNDLE_FILE } from './client-script.js';

/** `import { a, b as c } from './x.js';` or `import './x.js';` (groups: names, quote, specifier). */
const IMPORT_LINE = /^import\s*(?:\{([^}]*)\}\s*from\s*)?(['"])([^'"\n]+)\2;?[ \t]*$/gm;
const EXPORT_LIST = /^export\s*\{([^}]*)\};?[ \t]*$/gm;
const EXPORT_DECL = /^export\s+((?:async\s+)?function\*?|const|let|var|class)\s+([A-Za-z_$][\w$]*)/gm;

interface ParsedModule {
  /** Module ids (paths relative to the compiled root) this one imports, in order. */
  deps: string[];
  /** The module's code with its import and export syntax rewritten. */
  body: string;
  /** Exported name → local name. */
  exports: Map<string, string>;
}

/** `a, b as c` → [['a', 'a'], ['b', 'c']] (imported or local name, then the name it gets). */
function specifiers(list: string, where: string): [string, string][] {
  const out: [string, string][] = [];
  for (const raw of list.split(',')) {
    const s = raw.trim();
    if (s === '') continue;
    const m = /^([A-Za-z_$][\w$]*)(?:\s+as\s+([A-Za-z_$][\w$]*))?$/.exec(s);
    if (!m || m[1] === 'type') throw new Error(`${where}: unsupported specifier "${s}"`);
    out.push([m[1], m[2] ?? m[1]]);
  }
  return out;
}

function resolveId(from: string, spec: string): string {
  if (!spec.startsWith('./') && !spec.startsWith('../')) throw new Error(`${from}: only relative imports of our own modules can be bundled ("${spec}")`);
  return path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
}

/** Variable holding module number i's exports inside the bundle. */
const slot = (i: number): string => `__dashboardModule${i}`;

/** Rewrites one compiled module; `slotOf` names the variable holding a dependency's exports. */
export function parseModule(id: string, code: string, slotOf: (dep: string) => string = () => '?'): ParsedModule {
  const deps: string[] = [];
  const exports = new Map<string, string>();
  let body = code.replace(/^\/\/# sourceMappingURL=.*$/gm, '');
  body = body.replace(IMPORT_LINE, (_all, list: string | undefined, _q: string, spec: string) => {
    const dep = resolveId(id, spec);
    deps.push(dep);
    const names = list === undefined ? [] : specifiers(list, id);
    if (names.length === 0) return '';
    return `const { ${names.map(([a, b]) => (a === b ? a : `${a}: ${b}`)).join(', ')} } = ${slotOf(dep)};`;
  });
  body = body.replace(EXPORT_LIST, (_all, list: string) => {
    for (const [local, exported] of specifiers(list, id)) exports.set(exported, local);
    return '';
  });
  body = body.replace(EXPORT_DECL, (_all, kind: string, name: string) => {
    if (kind === 'let' || kind === 'var') throw new Error(`${id}: "export ${kind} ${name}" (a live binding) cannot be bundled; export an object instead`);
    exports.set(name, name);
    return `${kind} ${name}`;
  });
  const leftover = /^(import|export)\b.*$/m.exec(body) ?? /\bimport\s*\(/.exec(body);
  if (leftover) throw new Error(`${id}: unsupported module syntax: ${leftover[0].slice(0, 80)}`);
  return { deps, body, exports };
}

/** Module ids in dependency order (each after everything it imports), starting from `entry`. */
function moduleOrder(entry: string, read: (id: string) => string): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, trail: string[]): void => {
    const seen = state.get(id);
    if (seen === 'done') return;
    if (seen === 'visiting') throw new Error(`import cycle: ${[...trail, id].join(' → ')}`);
    state.set(id, 'visiting');
    for (const dep of parseModule(id, read(id)).deps) visit(dep, [...trail, id]);
    state.set(id, 'done');
    order.push(id);
  };
  visit(entry, []);
  return order;
}

/** Checks that the script can sit inside <script>…</script> and parses as a classic script. */
function checkScript(script: string): void {
  if (/<\/script|<!--/i.test(script)) throw new Error('the dashboard script contains "</script" or "<!--", which would break the page');
  new vm.Script(script, { filename: CLIENT_BUNDLE_FILE });
}

/** One classic script from the module `entry` (an id relative to the compiled root) and what it imports. */
export function bundle(entry: string, read: (id: string) => string): string {
  const order = moduleOrder(entry, read);
  const slots = new Map(order.map((id, i) => [id, slot(i)]));
  const slotOf = (dep: string): string => slots.get(dep) ?? '?';
  const parts = order.map((id) => {
    const m = parseModule(id, read(id), slotOf);
    const exported = [...m.exports].map(([name, local]) => (name === local ? name : `${name}: ${local}`)).join(', ');
    return `// ${id}\nconst ${slotOf(id)} = (function () {\n${m.body.trim()}\nreturn { ${exported} };\n})();`;
  });
  const script = `(function () {\n'use strict';\n${parts.join('\n')}\n})();\n`;
  checkScript(script);
  return script;
}

/** Reads compiled modules under `root`, bundles from `entry`, writes `out`. */
export function buildClient(root: string, entry: string, out: string): string {
  const script = bundle(entry, (id) => fs.readFileSync(path.join(root, ...id.split('/')), 'utf8'));
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, script);
  return script;
}

function main(argv: string[]): void {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const root = path.resolve(argv[0] ?? path.join(here, '../../../../dashboard-client'));
  const entry = argv[1] ?? 'frontends/http/dashboard/client/main.js';
  const out = path.resolve(argv[2] ?? path.join(here, CLIENT_BUNDLE_FILE));
  const script = buildClient(root, entry, out);
  process.stdout.write(`dashboard script: ${path.relative(process.cwd(), out)} (${script.length} bytes)\n`);
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`build-client: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
