// Helpers for the shipping tests (Dockerfile, railway.json, .env.example,
// README): where the repository and the build output are, a small Dockerfile
// parser, the .env.example format, and a scan of every environment variable
// the source code reads (through the TypeScript compiler's syntax tree, so
// comments, strings and unrelated `env` variables do not confuse it).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type * as TS from 'typescript';

/** Root of the compiled tree this file belongs to (dist/ or any --outDir): holds src/, test/, bench/. */
export const OUT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A compiled file of the build output, e.g. outPath('src/bot.js'). */
export function outPath(rel: string): string {
  return path.join(OUT_ROOT, rel);
}

function isRepoRoot(dir: string): boolean {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string };
    return pkg.name === 'doge-grid-bot' && fs.existsSync(path.join(dir, 'src', 'config.ts'));
  } catch {
    return false;
  }
}

/**
 * The repository checkout: the parent of the build output when it is the usual
 * dist/, else the working directory (tests compiled elsewhere are run from the repo).
 */
export function repoRoot(): string {
  const candidates = [path.resolve(OUT_ROOT, '..'), process.cwd()];
  for (let dir = process.cwd(); dir !== path.dirname(dir); dir = path.dirname(dir)) candidates.push(dir);
  const found = candidates.find(isRepoRoot);
  if (!found) throw new Error(`repository root not found (looked at ${candidates.slice(0, 3).join(', ')})`);
  return found;
}

let tsModule: typeof TS | null = null;

/** The TypeScript compiler (a dev dependency), loaded from the repository so tests compiled elsewhere find it too. */
function typescript(): typeof TS {
  tsModule ??= createRequire(path.join(repoRoot(), 'package.json'))('typescript') as typeof TS;
  return tsModule;
}

export function readRepoFile(rel: string): string {
  return fs.readFileSync(path.join(repoRoot(), rel), 'utf8');
}

// ---------------------------------------------------------------- Dockerfile

export interface DockerInstruction {
  /** Upper-case keyword: FROM, RUN, COPY, … */
  keyword: string;
  /** Everything after the keyword, continuation lines joined. */
  args: string;
  line: number;
}

export interface DockerStage {
  image: string;
  name: string | null;
  instructions: DockerInstruction[];
}

/** Splits a Dockerfile into stages (comments dropped, `\` continuations joined). */
export function parseDockerfile(text: string): DockerStage[] {
  const instructions: DockerInstruction[] = [];
  const lines = text.split(/\r?\n/);
  let buf = '';
  let start = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const trimmed = raw.trim();
    if (buf === '' && (trimmed === '' || trimmed.startsWith('#'))) continue;
    if (buf !== '' && trimmed.startsWith('#')) continue; // comment lines inside a continuation are skipped
    if (buf === '') start = i + 1;
    if (trimmed.endsWith('\\')) {
      buf += trimmed.slice(0, -1) + ' ';
      continue;
    }
    buf += trimmed;
    const m = /^(\S+)\s*([\s\S]*)$/.exec(buf);
    if (m) instructions.push({ keyword: m[1].toUpperCase(), args: m[2].trim(), line: start });
    buf = '';
  }
  if (buf.trim() !== '') throw new Error('Dockerfile ends inside a line continuation');
  const stages: DockerStage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!m) throw new Error(`line ${ins.line}: cannot read FROM ${ins.args}`);
      stages.push({ image: m[1], name: m[2] ?? null, instructions: [] });
    } else if (stages.length === 0) {
      if (ins.keyword !== 'ARG') throw new Error(`line ${ins.line}: ${ins.keyword} before the first FROM`);
    } else {
      stages[stages.length - 1].instructions.push(ins);
    }
  }
  return stages;
}

/** The JSON array of an exec-form instruction (CMD ["node", "x.js"]), or null for the shell form. */
export function execForm(args: string): string[] | null {
  const t = args.trim();
  if (!t.startsWith('[')) return null;
  try {
    const v: unknown = JSON.parse(t);
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : null;
  } catch {
    return null;
  }
}

/** HEALTHCHECK [--opt=v …] CMD … → the options and the command part. */
export function splitHealthcheck(args: string): { options: Record<string, string>; cmd: string } {
  const options: Record<string, string> = {};
  let rest = args.trim();
  for (;;) {
    const m = /^--([a-z-]+)=(\S+)\s+/.exec(rest);
    if (!m) break;
    options[m[1]] = m[2];
    rest = rest.slice(m[0].length);
  }
  const c = /^CMD\s+([\s\S]*)$/i.exec(rest);
  if (!c) throw new Error(`HEALTHCHECK without CMD: ${args}`);
  return { options, cmd: c[1].trim() };
}

/** COPY/ADD arguments → flags, sources and destination (exec-form JSON or whitespace-separated). */
export function parseCopy(args: string): { from: string | null; chown: string | null; sources: string[]; dest: string } {
  let rest = args.trim();
  let from: string | null = null;
  let chown: string | null = null;
  for (;;) {
    const m = /^--([a-z-]+)=(\S+)\s+/.exec(rest);
    if (!m) break;
    if (m[1] === 'from') from = m[2];
    if (m[1] === 'chown') chown = m[2];
    rest = rest.slice(m[0].length);
  }
  const parts = execForm(rest) ?? rest.split(/\s+/);
  if (parts.length < 2) throw new Error(`COPY needs a source and a destination: ${args}`);
  return { from, chown, sources: parts.slice(0, -1), dest: parts[parts.length - 1] };
}

/** ENV A=1 B=2 / ENV A 1 → map. */
export function parseEnv(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  const t = args.trim();
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(t)) {
    const m = /^(\S+)\s+([\s\S]*)$/.exec(t);
    if (m) out[m[1]] = m[2];
    return out;
  }
  const re = /([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g;
  for (const m of t.matchAll(re)) out[m[1]] = m[2].replace(/^(["'])([\s\S]*)\1$/, '$2');
  return out;
}

// ---------------------------------------------------------------- .env.example

export interface EnvExampleEntry {
  name: string;
  value: string;
  /** `# NAME=value`: documented, but not set when the file is used as is. */
  commented: boolean;
  /** The comment lines right above the entry. */
  doc: string[];
  line: number;
}

const ENV_LINE = /^\s*(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/;

export function parseEnvExample(text: string): EnvExampleEntry[] {
  const out: EnvExampleEntry[] = [];
  let doc: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const m = ENV_LINE.exec(raw);
    if (m) {
      out.push({ name: m[2], value: m[3], commented: Boolean(m[1]), doc, line: i + 1 });
      doc = [];
    } else if (/^\s*#/.test(raw)) {
      doc.push(raw.replace(/^\s*#\s?/, ''));
    } else {
      doc = [];
    }
  });
  return out;
}

// ---------------------------------------------------------------- environment reads in the source

export interface EnvRead {
  name: string;
  file: string;
  line: number;
}

export interface EnvScan {
  reads: EnvRead[];
  /** Reads whose variable name cannot be determined statically (they defeat the parity check). */
  unresolved: EnvRead[];
}

export function listTsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listTsFiles(p));
    else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(p);
  }
  return out.sort();
}

const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;

/** Set by scanEnvReads before any of the helpers below run. */
let ts!: typeof TS;

function isProcessEnv(node: TS.Node): boolean {
  return ts.isPropertyAccessExpression(node) && node.name.text === 'env' && ts.isIdentifier(node.expression) && node.expression.text === 'process';
}

/** An environment record: `env` (passed around, as in config.ts), `process.env`, or any `x.env` (`io.env`, `opts.env`). */
function isEnvObject(node: TS.Node): boolean {
  if (ts.isIdentifier(node)) return node.text === 'env';
  if (ts.isPropertyAccessExpression(node)) return node.name.text === 'env';
  if (ts.isNonNullExpression(node) || ts.isParenthesizedExpression(node)) return isEnvObject(node.expression);
  return false;
}

function stringValue(node: TS.Node): string | null {
  return ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) ? node.text : null;
}

/** Every upper-case string literal inside an expression (for `const v = cond ? 'PORT' : 'HEALTH_PORT'`). */
function literalNames(node: TS.Node): string[] {
  const out: string[] = [];
  const visit = (n: TS.Node): void => {
    const s = stringValue(n);
    if (s !== null && ENV_NAME.test(s)) out.push(s);
    ts.forEachChild(n, visit);
  };
  visit(node);
  return out;
}

function isParameterOfEnclosingFunction(id: TS.Identifier): boolean {
  for (let p: TS.Node | undefined = id.parent; p; p = p.parent) {
    if (ts.isFunctionLike(p) && p.parameters.some((param) => ts.isIdentifier(param.name) && param.name.text === id.text)) return true;
  }
  return false;
}

/**
 * Environment variables read by one source file:
 * - helper calls whose first argument is the environment: `num(env, 'NAME', …)`,
 *   `str(process.env, 'NAME')`, … (any helper name); a variable as the name
 *   argument is resolved through its `const` initializer;
 * - `env.NAME`, `process.env.NAME`, `io.env.NAME`, `env['NAME']`, and
 *   `env[k]` inside `for (const k of LIST)` with LIST a literal list of names;
 * - `const { NAME } = process.env`.
 * A read whose name cannot be determined is reported as unresolved, except a
 * name that is a parameter of the enclosing function (a pass-through helper
 * such as config.ts's `raw(env, name)`, whose callers are scanned).
 */
export function scanEnvReads(file: string, text: string): EnvScan {
  ts = typescript();
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  // Where a name argument can come from, resolved lexically from the place of use:
  // `const v = …'NAME'…` in an enclosing block, or an enclosing `for (const k of LIST)`.
  const declaredIn = (scope: TS.Node, name: string): TS.Expression | null => {
    const statements = ts.isSourceFile(scope) || ts.isBlock(scope) || ts.isModuleBlock(scope) ? scope.statements : null;
    if (!statements) return null;
    for (const st of statements) {
      if (!ts.isVariableStatement(st)) continue;
      for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name) && d.name.text === name && d.initializer) return d.initializer;
    }
    return null;
  };
  const namesOf = (id: TS.Identifier, depth = 0): string[] => {
    if (depth > 3) return [];
    for (let p: TS.Node | undefined = id.parent; p; p = p.parent) {
      if (ts.isForOfStatement(p) && ts.isVariableDeclarationList(p.initializer) && p.initializer.declarations.some((d) => ts.isIdentifier(d.name) && d.name.text === id.text)) {
        return ts.isIdentifier(p.expression) ? namesOf(p.expression, depth + 1) : literalNames(p.expression);
      }
      const init = declaredIn(p, id.text);
      if (init) return ts.isIdentifier(init) ? namesOf(init, depth + 1) : literalNames(init);
    }
    return [];
  };
  const reads: EnvRead[] = [];
  const unresolved: EnvRead[] = [];
  const at = (n: TS.Node) => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
  const add = (name: string, n: TS.Node) => reads.push({ name, file, line: at(n) });

  const visit = (n: TS.Node): void => {
    if (ts.isCallExpression(n) && n.arguments.length >= 2 && isEnvObject(n.arguments[0])) {
      const arg = n.arguments[1];
      const s = stringValue(arg);
      if (s !== null) {
        if (ENV_NAME.test(s)) add(s, arg);
      } else if (ts.isIdentifier(arg) && isParameterOfEnclosingFunction(arg)) {
        // A pass-through helper (`function num(env, name) { raw(env, name) }`): its callers are scanned.
      } else if (ts.isIdentifier(arg)) {
        const names = namesOf(arg);
        if (names.length > 0) for (const name of names) add(name, arg);
        else unresolved.push({ name: `${n.expression.getText(sf)}(env, ${arg.text})`, file, line: at(arg) });
      }
    }
    if (ts.isPropertyAccessExpression(n) && isEnvObject(n.expression) && ENV_NAME.test(n.name.text)) add(n.name.text, n.name);
    if (ts.isElementAccessExpression(n) && isEnvObject(n.expression)) {
      const key = n.argumentExpression;
      const s = stringValue(key);
      const names = s !== null ? [s] : ts.isIdentifier(key) ? namesOf(key) : [];
      if (names.length > 0) for (const name of names) add(name, key);
      else if (!(ts.isIdentifier(key) && isParameterOfEnclosingFunction(key))) unresolved.push({ name: n.getText(sf), file, line: at(n) });
    }
    if (ts.isVariableDeclaration(n) && ts.isObjectBindingPattern(n.name) && n.initializer && isProcessEnv(n.initializer)) {
      for (const el of n.name.elements) {
        const key = el.propertyName ?? el.name;
        if (ts.isIdentifier(key)) add(key.text, key);
        else if (ts.isStringLiteral(key)) add(key.text, key);
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return { reads, unresolved };
}

/** Scan every .ts file under `dir` (paths reported relative to the repository). */
export function scanEnvReadsIn(dir: string): EnvScan {
  const root = repoRoot();
  const all: EnvScan = { reads: [], unresolved: [] };
  for (const file of listTsFiles(dir)) {
    const rel = path.relative(root, file);
    const r = scanEnvReads(rel, fs.readFileSync(file, 'utf8'));
    all.reads.push(...r.reads);
    all.unresolved.push(...r.unresolved);
  }
  return all;
}

// ---------------------------------------------------------------- Markdown

/** GitHub's heading anchor: lower case, punctuation dropped, spaces → hyphens. */
export function githubSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/<[^>]*>/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Headings of a Markdown text outside fenced code blocks. */
export function markdownHeadings(text: string): string[] {
  const out: string[] = [];
  let fenced = false;
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    else if (!fenced) {
      const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
      if (m) out.push(m[1]);
    }
  }
  return out;
}
