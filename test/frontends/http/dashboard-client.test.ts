// The dashboard's browser script: TypeScript checked against StatusView with
// the DOM types (tsconfig.dashboard.json, part of `npm run build`), bundled by
// build-client into one classic script under dist/src, which the page inlines.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { createRequire } from 'node:module';
import type * as TS from 'typescript';
import { bundle, parseModule } from '../../../src/frontends/http/dashboard/build-client.js';
import { CLIENT_BUNDLE_FILE, clientBundlePath, clientScript } from '../../../src/frontends/http/dashboard/client-script.js';
import { dashboardHtml } from '../../../src/frontends/http/dashboard.js';
import { outPath, readRepoFile, repoRoot } from '../../support/ship-repo.js';

const CLIENT_DIR = path.join(repoRoot(), 'src', 'frontends', 'http', 'dashboard', 'client');

describe('the client is built by npm run build', () => {
  test('the build script type-checks the client with its own tsconfig, then bundles it', () => {
    const build = (JSON.parse(readRepoFile('package.json')) as { scripts: Record<string, string> }).scripts.build;
    const steps = build.split('&&').map((s) => s.trim());
    const check = steps.indexOf('tsc -p tsconfig.dashboard.json');
    const bundleStep = steps.indexOf('node dist/src/frontends/http/dashboard/build-client.js');
    assert.ok(check > 0, `the build compiles the client: ${build}`);
    assert.ok(bundleStep > check, `then bundles it: ${build}`);
    const ts = typescript();
    const cfg = ts.readConfigFile(path.join(repoRoot(), 'tsconfig.dashboard.json'), ts.sys.readFile).config as { compilerOptions: Record<string, unknown> };
    assert.deepEqual(cfg.compilerOptions.types, [], 'no Node types in the browser code');
    assert.ok((cfg.compilerOptions.lib as string[]).includes('DOM'));
    assert.equal(cfg.compilerOptions.strict, true);
    const main = JSON.parse(readRepoFile('tsconfig.json')) as { exclude?: string[] };
    assert.ok(main.exclude?.some((e) => e.startsWith('src/frontends/http/dashboard/client')), 'the Node build leaves the browser code alone');
  });

  test('the bundle lives in dist/src (what the image carries) and is what the page inlines', () => {
    assert.equal(clientBundlePath(), outPath(`src/frontends/http/dashboard/${CLIENT_BUNDLE_FILE}`));
    const script = clientScript();
    assert.ok(script.length > 10_000);
    assert.doesNotThrow(() => new vm.Script(script));
    assert.ok(!/^\s*(import|export)\b/m.test(script), 'no module syntax left');
    const page = dashboardHtml('bm9uY2U=');
    assert.ok(page.includes(`<script nonce="bm9uY2U=">\n${script}</script>`));
  });
});

describe('type checking against StatusView', () => {
  test('the client compiles; wrong shapes and Node globals do not', () => {
    // One program: the client as tsconfig.dashboard.json sees it, plus a probe
    // that misuses it. The client must have no error, each marked probe line one.
    const ts = typescript();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dash-probe-'));
    try {
      const rel = (p: string): string => path.relative(dir, p).split(path.sep).join('/');
      const src = path.join(repoRoot(), 'src');
      const probe = path.join(dir, 'probe.ts');
      fs.writeFileSync(
        probe,
        [
          `import type { StatusView } from '${rel(path.join(src, 'ops', 'status-view.js'))}';`,
          `import { renderPriceCards } from '${rel(path.join(CLIENT_DIR, 'cards.js'))}';`,
          `import { renderControls } from '${rel(path.join(CLIENT_DIR, 'controls.js'))}';`,
          'declare const s: StatusView;',
          'renderPriceCards(s);',
          "renderControls({ ...s, limits: { ...s.limits, spacing: { min: '0.6', max: 20 } } }); // expect-error",
          'const max: string = s.limits.ratio.max; // expect-error',
          "renderPriceCards({ price: { current: 0.1 } }); // expect-error",
          'process.exit(max ? 0 : 1); // expect-error',
          '',
        ].join('\n'),
      );
      const configPath = path.join(repoRoot(), 'tsconfig.dashboard.json');
      const parsed = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, repoRoot());
      assert.deepEqual(parsed.errors, []);
      assert.ok(parsed.fileNames.some((f) => f.endsWith('/client/main.ts')));
      const options = { ...parsed.options, noEmit: true, rootDir: undefined };
      const diags = ts.getPreEmitDiagnostics(ts.createProgram({ rootNames: [...parsed.fileNames, probe], options }));
      const where = (d: TS.Diagnostic): string =>
        d.file ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '(global)';
      const clientErrors = diags.filter((d) => d.file?.fileName !== probe).map((d) => `${where(d)} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
      assert.deepEqual(clientErrors, []);
      const errorLines = new Set(diags.filter((d) => d.file?.fileName === probe).map((d) => d.file!.getLineAndCharacterOfPosition(d.start ?? 0).line + 1));
      const expected = fs.readFileSync(probe, 'utf8').split('\n').flatMap((l, i) => (l.includes('// expect-error') ? [i + 1] : []));
      assert.deepEqual([...errorLines].sort((a, b) => a - b), expected);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bundling', () => {
  const sources: Record<string, string> = {
    'c/main.js': [
      "import { add, twice as double } from './lib/math.js';",
      "import { names } from '../shared/names.js';",
      "import './side.js';",
      'globalThis.result = [double(add(1, 2)), names.join(",")];',
      'export {};',
    ].join('\n'),
    'c/lib/math.js': ["import { names } from '../../shared/names.js';", 'export function add(a, b) { names.push("add"); return a + b; }', 'const twice = (x) => x * 2;', 'export { twice };'].join('\n'),
    'shared/names.js': 'export const names = [];\n//# sourceMappingURL=names.js.map',
    'c/side.js': 'globalThis.sideEffect = true;',
  };
  const read = (files: Record<string, string>) => (id: string): string => {
    if (!(id in files)) throw new Error(`no module ${id}`);
    return files[id];
  };

  test('modules run once each, dependencies first, each in its own scope', () => {
    const script = bundle('c/main.js', read(sources));
    const ctx: Record<string, unknown> = {};
    vm.runInNewContext(script, ctx);
    assert.equal(JSON.stringify(ctx.result), '[6,"add"]');
    assert.equal(ctx.sideEffect, true);
    assert.ok(!script.includes('sourceMappingURL'));
    assert.ok(script.indexOf('// shared/names.js') < script.indexOf('// c/lib/math.js'));
    assert.ok(script.indexOf('// c/lib/math.js') < script.indexOf('// c/main.js'));
    assert.equal(script.match(/\/\/ shared\/names\.js/g)?.length, 1, 'a shared module is included once');
  });

  test('syntax it cannot bundle safely fails the build', () => {
    const fails = (files: Record<string, string>, re: RegExp): void => assert.throws(() => bundle('m.js', read(files)), re);
    fails({ 'm.js': "import { a } from './a.js';", 'a.js': "import { m } from './m.js';\nexport const a = 1;" }, /import cycle: m\.js → a\.js → m\.js/);
    fails({ 'm.js': 'export let counter = 0;' }, /live binding/);
    fails({ 'm.js': 'export default function () {}' }, /unsupported module syntax/);
    fails({ 'm.js': "import * as a from './a.js';", 'a.js': '' }, /unsupported module syntax/);
    fails({ 'm.js': "import fs from 'node:fs';" }, /unsupported module syntax/);
    fails({ 'm.js': "import { readFileSync } from 'node:fs';" }, /only relative imports/);
    fails({ 'm.js': "const p = import('./a.js');" }, /unsupported module syntax/);
    fails({ 'm.js': "const s = '</script>';" }, /<\/script/);
    fails({ 'm.js': 'const s = ;' }, /SyntaxError|Unexpected token/);
  });

  test('parseModule rewrites imports to reads of the dependency and lists the exports', () => {
    const m = parseModule('a/b.js', "import { x as y, z } from '../c.js';\nexport function f() { return y + z; }\nexport const k = 1;", (dep) => `M[${JSON.stringify(dep)}]`);
    assert.deepEqual(m.deps, ['c.js']);
    assert.match(m.body, /^const \{ x: y, z \} = M\["c\.js"\];$/m);
    assert.deepEqual([...m.exports.keys()], ['f', 'k']);
    assert.ok(!/\bexport\b/.test(m.body));
  });
});

describe('the shipped client source', () => {
  test('renders text only and restates no bound of src/core/limits.ts', () => {
    const files = fs.readdirSync(CLIENT_DIR).filter((f) => f.endsWith('.ts'));
    assert.ok(files.length >= 10, files.join(', '));
    for (const f of files) {
      const code = fs.readFileSync(path.join(CLIENT_DIR, f), 'utf8');
      assert.ok(!/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/.test(code), `${f} builds markup from strings`);
      assert.ok(!/\b(0\.25|0\.75|86400|86_400)\b|max 20|\b60 –/.test(code), `${f} hard-codes a limit`);
      assert.ok(!/^import (?!type )[^;]*from '(?!\.{1,2}\/)/m.test(code), `${f} imports a package`);
    }
  });
});

let tsModule: typeof TS | null = null;
function typescript(): typeof TS {
  tsModule ??= createRequire(path.join(repoRoot(), 'package.json'))('typescript') as typeof TS;
  return tsModule;
}
