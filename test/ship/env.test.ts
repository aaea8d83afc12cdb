// .env.example is the operator's list of settings: it must name exactly the
// variables the code reads, give their real defaults, and never carry a secret.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { parseEnvExample, readRepoFile, repoRoot, scanEnvReads, scanEnvReadsIn, type EnvRead } from '../support/ship-repo.js';

function where(reads: EnvRead[], name: string): string {
  return reads
    .filter((r) => r.name === name)
    .map((r) => `${r.file}:${r.line}`)
    .join(', ');
}

describe('the environment-variable scanner', () => {
  it('finds helper reads, property and element reads, destructuring, and names chosen through a const', () => {
    const src = `
      function num(env: Env, name: string, d: number) { const r = raw(env, name); return r === undefined ? d : Number(r); }
      function raw(env: Env, name: string) { return env[name]; }
      const a = num(env, 'ALPHA', 1);
      const b = bool(env, "BRAVO", true);
      const v = raw(env, 'X') !== undefined ? 'CHARLIE' : 'DELTA';
      const c = num(env, v, 8080);
      const d = process.env.ECHO;
      const e = process.env['FOXTROT'];
      const { GOLF, HOTEL: renamed } = process.env;
      const f = env.INDIA;
      // process.env.IN_A_COMMENT and num(env, 'ALSO_COMMENTED')
      const g = "process.env.IN_A_STRING";
      const h = envelope.error ?? env.error ?? env.result;
      const i = io.env.JULIET ?? opts.env?.KILO;
      const LIST = ['LIMA', 'MIKE'] as const;
      for (const k of LIST) copy[k] = opts.env?.[k];
    `;
    const { reads, unresolved } = scanEnvReads('x.ts', src);
    assert.deepEqual(
      [...new Set(reads.map((r) => r.name))].sort(),
      ['ALPHA', 'BRAVO', 'CHARLIE', 'DELTA', 'ECHO', 'FOXTROT', 'GOLF', 'HOTEL', 'INDIA', 'JULIET', 'KILO', 'LIMA', 'MIKE', 'X'].sort(),
    );
    assert.deepEqual(unresolved, []);
  });

  it('reports reads whose name it cannot know', () => {
    const { unresolved } = scanEnvReads('y.ts', 'const k = pick(); const v = process.env[k]; const w = str(env, k2); const u = opts.env[k + "_X"];');
    assert.equal(unresolved.length, 3, JSON.stringify(unresolved));
  });
});

describe('.env.example', () => {
  const entries = parseEnvExample(readRepoFile('.env.example'));
  const names = entries.map((e) => e.name);

  it('lists exactly the variables src/ reads', () => {
    const scan = scanEnvReadsIn(path.join(repoRoot(), 'src'));
    assert.deepEqual(scan.unresolved, [], 'environment reads with a computed name cannot be checked; read them through config.ts with a literal name');
    const inCode = [...new Set(scan.reads.map((r) => r.name))].sort();
    // The scanner must really see config.ts (guards against a silently empty scan).
    for (const known of ['DRY_RUN', 'KRAKEN_API_KEY', 'PORT', 'HEALTH_PORT', 'GROQ_API_KEY', 'DASHBOARD_TOKEN']) assert.ok(inCode.includes(known), `scanner did not find ${known}`);
    const missing = inCode.filter((n) => !names.includes(n));
    const extra = names.filter((n) => !inCode.includes(n));
    const problems = [
      ...missing.map((n) => `read by the code but not in .env.example: ${n} (${where(scan.reads, n)})`),
      ...extra.map((n) => `in .env.example but read nowhere in src/: ${n}`),
    ];
    assert.deepEqual(problems, []);
  });

  it('lists each variable once, each with a one-line meaning above it', () => {
    const dup = names.filter((n, i) => names.indexOf(n) !== i);
    assert.deepEqual(dup, [], 'duplicated entries');
    const undocumented = entries.filter((e) => {
      const last = e.doc.filter((l) => l.trim() !== '' && !/^-{3,}|^-+ .* -+$/.test(l.trim())).pop();
      return !last || last.trim().length < 10;
    });
    assert.deepEqual(
      undocumented.map((e) => `${e.name} (line ${e.line})`),
      [],
      'every variable needs a comment line saying what it does',
    );
  });

  it('gives the real default of every variable', () => {
    const defaults = loadConfig({});
    const wrong: string[] = [];
    for (const e of entries) {
      if (e.value.trim() === '') continue;
      let cfg;
      try {
        cfg = loadConfig({ [e.name]: e.value });
      } catch (err) {
        wrong.push(`${e.name}=${e.value}: ${(err as Error).message}`);
        continue;
      }
      try {
        assert.deepEqual(cfg, defaults);
      } catch {
        wrong.push(`${e.name}=${e.value} is not the default`);
      }
    }
    assert.deepEqual(wrong, []);
    // The file used as it is (e.g. docker run --env-file) starts the bot with the defaults.
    const active = Object.fromEntries(entries.filter((e) => !e.commented).map((e) => [e.name, e.value]));
    assert.deepEqual(loadConfig(active), defaults);
  });

  it('carries no secret values', () => {
    const secrets = entries.filter((e) => /KEY|SECRET|TOKEN|CHAT_ID/.test(e.name));
    assert.ok(secrets.length >= 6, `expected the secret variables, found ${secrets.map((e) => e.name).join(', ')}`);
    assert.deepEqual(
      secrets.filter((e) => e.value.trim() !== '').map((e) => e.name),
      [],
    );
  });

  it('starts in dry run and keeps comments off value lines', () => {
    assert.equal(entries.find((e) => e.name === 'DRY_RUN')?.value, 'true');
    // Docker's --env-file takes everything after "=" literally, a trailing comment included.
    const inline = entries.filter((e) => /\s#/.test(e.value));
    assert.deepEqual(inline.map((e) => e.name), []);
  });
});
