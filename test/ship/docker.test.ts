// The Dockerfile and railway.json, checked without a Docker engine: the image's
// shape (stages, user, paths, command) against the build output, and the
// health check run for real against the daemon, the way Docker and Railway
// would run it.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { startKrakenSim, type KrakenSim } from '../../src/tools/sim/kraken-sim.js';
import { tempDir } from '../support/core.js';
import { startDaemon, type Daemon } from '../support/daemon.js';
import { freePort } from '../support/net.js';
import {
  execForm,
  outPath,
  parseCopy,
  parseDockerfile,
  parseEnv,
  readRepoFile,
  repoRoot,
  splitHealthcheck,
  type DockerStage,
} from '../support/ship-repo.js';

const stages = parseDockerfile(readRepoFile('Dockerfile'));
const runtime = stages[stages.length - 1];

function all(stage: DockerStage, keyword: string): string[] {
  return stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
}

function last(stage: DockerStage, keyword: string): string | undefined {
  return all(stage, keyword).pop();
}

function workdir(stage: DockerStage): string {
  return last(stage, 'WORKDIR') ?? '/';
}

function stageEnv(stage: DockerStage): Record<string, string> {
  return Object.assign({}, ...all(stage, 'ENV').map(parseEnv));
}

function healthcheckCommand(): string[] {
  const hc = last(runtime, 'HEALTHCHECK');
  assert.ok(hc, 'the runtime stage has a HEALTHCHECK');
  const cmd = execForm(splitHealthcheck(hc).cmd);
  assert.ok(cmd, 'HEALTHCHECK CMD is in exec form (no shell needed in the image)');
  return cmd;
}

/** Runs the image's HEALTHCHECK command here, with the environment the container would have. */
function runHealthcheck(env: Record<string, string>): Promise<number | null> {
  const [bin, ...args] = healthcheckCommand();
  assert.equal(bin, 'node', 'the health check uses Node itself (slim images have no curl or wget)');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'ignore' });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('health check command did not finish within 15 s'));
    }, 15_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}


/** Maps a path inside the build stage (e.g. /app/dist/src) to the repository or the build output here. */
function buildStagePath(p: string): { kind: 'output'; local: string } | { kind: 'context'; rel: string } {
  const wd = workdir(stages[0]);
  const rel = path.posix.relative(wd, path.posix.resolve(wd, p));
  if (rel === 'dist' || rel.startsWith('dist/')) return { kind: 'output', local: outPath(rel.slice('dist'.length).replace(/^\//, '')) };
  return { kind: 'context', rel };
}

describe('Dockerfile', () => {
  it('is multi-stage on a current Node LTS, building with dev dependencies in the first stage', () => {
    assert.ok(stages.length >= 2, 'at least a build and a runtime stage');
    const build = stages[0];
    for (const s of stages) {
      const m = /^node:(\d+)(?:[.-]|$)/.exec(s.image);
      assert.ok(m, `${s.image} is an official Node image with a pinned major version`);
      const major = Number(m[1]);
      assert.ok(major >= 20 && major % 2 === 0, `${s.image}: Node ${major} is not an LTS line`);
    }
    assert.ok(build.name, 'the build stage is named (COPY --from=<name>)');
    const runs = all(build, 'RUN').join('\n');
    assert.match(runs, /\bnpm ci\b/, 'the build stage installs from the lock file');
    assert.match(runs, /\bnpm run build\b/, 'the build stage compiles with the project build script');
  });

  it('runtime stage: only the compiled daemon and package files, no dependency install', () => {
    const copies = all(runtime, 'COPY').map(parseCopy);
    assert.ok(copies.length > 0);
    const pkg = JSON.parse(readRepoFile('package.json')) as { dependencies?: Record<string, string>; type?: string };
    assert.equal(Object.keys(pkg.dependencies ?? {}).length, 0, 'no runtime dependencies, so nothing to install in the image');
    assert.equal(pkg.type, 'module', 'package.json is needed at run time for ES modules');
    assert.ok(!all(runtime, 'RUN').some((r) => /\bnpm\s+(ci|install|i)\b/.test(r)), 'the runtime stage installs no packages');
    const sources: string[] = [];
    for (const c of copies) {
      assert.equal(c.from, stages[0].name, `runtime COPY takes files from the build stage: COPY ${c.sources.join(' ')}`);
      sources.push(...c.sources);
    }
    for (const src of sources) {
      assert.doesNotMatch(src, /node_modules|(^|\/)(test|bench)(\/|$)|\.ts$/, `${src} does not belong in the runtime image`);
    }
    const names = sources.map((s) => path.posix.basename(s));
    assert.ok(names.includes('package.json'), 'package.json is copied');
    assert.ok(sources.some((s) => /\/dist\/src$|^dist\/src$/.test(s)), 'dist/src is copied (and not the whole dist/ with tests)');
  });

  it('every path the runtime stage copies exists after the build', () => {
    const build = stages[0];
    const fromContext = all(build, 'COPY')
      .map(parseCopy)
      .filter((c) => c.from === null)
      .flatMap((c) => c.sources.map((s) => path.posix.normalize(s)));
    for (const c of all(runtime, 'COPY').map(parseCopy)) {
      for (const src of c.sources) {
        const p = buildStagePath(src);
        if (p.kind === 'output') {
          assert.ok(fs.existsSync(p.local), `${src} → ${p.local} missing from the build output`);
        } else {
          assert.ok(fs.existsSync(path.join(repoRoot(), p.rel)), `${p.rel} missing from the repository`);
          assert.ok(fromContext.includes(p.rel), `${p.rel} is not copied into the build stage`);
        }
      }
    }
    for (const src of fromContext) assert.ok(fs.existsSync(path.join(repoRoot(), src)), `build stage copies ${src}, which does not exist`);
  });

  it('runs the daemon with an exec-form CMD whose script is in the build output', () => {
    const cmd = execForm(last(runtime, 'CMD') ?? '');
    assert.ok(cmd, 'CMD is in exec form, so Node is PID 1 and receives SIGTERM directly');
    assert.equal(cmd[0], 'node');
    assert.equal(cmd.length, 2, 'node <script>, no wrapper');
    assert.ok(!last(runtime, 'ENTRYPOINT'), 'no ENTRYPOINT wrapper (a shell would swallow SIGTERM)');
    assert.equal(cmd[1], 'dist/src/bot.js', 'the daemon entry point (SPEC: node dist/src/bot.js)');
    // Follow the script back through the COPY that puts it there, to the build stage, to the build output here.
    const script = path.posix.resolve(workdir(runtime), cmd[1]);
    let origin: string | null = null;
    let best = -1;
    for (const c of all(runtime, 'COPY').map(parseCopy)) {
      const dest = path.posix.resolve(workdir(runtime), c.dest);
      for (const src of c.sources) {
        const target = c.dest.endsWith('/') && c.sources.length > 1 ? path.posix.join(dest, path.posix.basename(src)) : dest;
        if (script === target || script.startsWith(target + '/')) {
          if (target.length > best) {
            best = target.length;
            origin = path.posix.join(path.posix.resolve(workdir(stages[0]), src), script.slice(target.length));
          }
        }
      }
    }
    assert.ok(origin, `${script} is not put in place by any COPY of the runtime stage`);
    const mapped = buildStagePath(origin);
    assert.equal(mapped.kind, 'output', `${origin} comes from the build output`);
    if (mapped.kind === 'output') assert.ok(fs.existsSync(mapped.local), `compiled daemon missing: ${mapped.local}`);
    assert.ok(fs.existsSync(outPath('src/bot.js')), `compiled daemon missing: ${outPath('src/bot.js')}`);
  });

  it('runs as a non-root user, production mode, state in a volume the user owns', () => {
    const user = last(runtime, 'USER');
    assert.ok(user, 'USER is set');
    assert.doesNotMatch(user, /^(root|0)(:|$)/, 'USER is not root');
    const env = stageEnv(runtime);
    assert.equal(env.NODE_ENV, 'production');
    assert.ok(env.LOG_DIR, 'LOG_DIR points at the volume');
    const volumes = all(runtime, 'VOLUME').flatMap((v) => execForm(v) ?? v.split(/\s+/));
    assert.ok(volumes.includes(env.LOG_DIR), `VOLUME ${env.LOG_DIR} declared (found ${volumes.join(', ')})`);
    const runs = all(runtime, 'RUN').join('\n');
    assert.match(runs, new RegExp(`chown[^\\n]*${user.split(':')[0]}[^\\n]*${env.LOG_DIR.replace(/\//g, '\\/')}`), `${env.LOG_DIR} is chowned to ${user}`);
    const runIdx = runtime.instructions.findIndex((i) => i.keyword === 'RUN' && i.args.includes('chown'));
    const userIdx = runtime.instructions.findIndex((i) => i.keyword === 'USER');
    assert.ok(runIdx >= 0 && runIdx < userIdx, 'the chown runs before switching to the unprivileged user');
  });

  it('exposes the port the daemon listens on by default and checks /health', () => {
    const exposed = all(runtime, 'EXPOSE').flatMap((e) => e.split(/\s+/)).map((p) => Number(p.split('/')[0]));
    assert.ok(exposed.includes(loadConfig({}).httpPort), `EXPOSE ${loadConfig({}).httpPort}`);
    const script = healthcheckCommand().join(' ');
    assert.match(script, /127\.0\.0\.1|localhost/);
    assert.match(script, /\/health\b/);
    assert.match(script, /process\.env\.PORT/, 'the check follows PORT like the daemon does');
    const { options } = splitHealthcheck(last(runtime, 'HEALTHCHECK') ?? '');
    assert.ok(options['start-period'], 'a start period covers the first price fetch');
  });
});

describe('.dockerignore', () => {
  const lines = readRepoFile('.dockerignore')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  it('keeps secrets, dependencies and build output out of the build context', () => {
    for (const p of ['.env', 'node_modules', 'dist', '.git']) assert.ok(lines.includes(p), `.dockerignore lists ${p}`);
  });

  it('does not exclude anything the build copies', () => {
    const copied = all(stages[0], 'COPY')
      .map(parseCopy)
      .filter((c) => c.from === null)
      .flatMap((c) => c.sources.map((s) => path.posix.normalize(s)));
    for (const src of copied) {
      const excluded = lines.some((p) => !p.startsWith('!') && !/[*?[]/.test(p) && (src === p || src.startsWith(p.replace(/\/$/, '') + '/')));
      assert.ok(!excluded, `${src} is copied but excluded by .dockerignore`);
    }
  });
});

describe('railway.json', () => {
  const railway = JSON.parse(readRepoFile('railway.json')) as {
    $schema?: string;
    build?: { builder?: string; dockerfilePath?: string };
    deploy?: Record<string, unknown>;
  };

  it('builds the Dockerfile and checks /health, restarting on failure', () => {
    assert.equal(railway.$schema, 'https://railway.com/railway.schema.json');
    assert.equal(railway.build?.builder, 'DOCKERFILE');
    assert.ok(railway.build?.dockerfilePath && fs.existsSync(path.join(repoRoot(), railway.build.dockerfilePath)), 'dockerfilePath exists');
    assert.equal(railway.deploy?.healthcheckPath, '/health');
    assert.equal(railway.deploy?.restartPolicyType, 'ON_FAILURE');
    for (const k of ['healthcheckTimeout', 'restartPolicyMaxRetries', 'drainingSeconds', 'overlapSeconds']) {
      if (k in (railway.deploy ?? {})) assert.equal(typeof railway.deploy?.[k], 'number', `deploy.${k} must be a JSON number (Railway rejects strings)`);
    }
  });

  it('never runs two deployments at once and lets shutdown finish cancelling', () => {
    // Two bots on one key and one userref would cancel each other's orders as orphans.
    assert.equal(railway.deploy?.overlapSeconds, 0);
    assert.ok(Number(railway.deploy?.drainingSeconds) >= 15, 'SIGTERM → SIGKILL leaves time for the bounded order cancellation');
  });

  it('the health check path is a route of the daemon', () => {
    const server = fs.readFileSync(path.join(repoRoot(), 'src', 'frontends', 'http', 'server.ts'), 'utf8');
    assert.match(server, new RegExp(`'${String(railway.deploy?.healthcheckPath)}':\\s*\\[\\s*'GET'`), 'http-server.ts routes GET /health');
  });
});

describe('the health check against the real daemon', () => {
  let sim: KrakenSim;
  let daemon: Daemon | null = null;
  let port = 0;

  before(async () => {
    sim = await startKrakenSim({ process: { kind: 'manual', price: 0.1 } });
    port = await freePort();
    daemon = startDaemon({
      DRY_RUN: 'true',
      KRAKEN_API_URL: sim.url,
      LOG_DIR: tempDir('ship-docker-'),
      PORT: String(port),
      POLL_INTERVAL_SECONDS: '1',
      LOG_FORMAT: 'json',
    });
    await daemon.waitFor(/grid built \(startup\)/, 20_000);
  });

  after(async () => {
    if (daemon && daemon.child.exitCode === null) {
      daemon.child.kill('SIGKILL');
      await daemon.exited;
    }
    await sim.close();
  });

  it('GET <healthcheckPath> answers 200 with status, mode and uptime', async () => {
    const railway = JSON.parse(readRepoFile('railway.json')) as { deploy: { healthcheckPath: string } };
    const res = await fetch(`http://127.0.0.1:${port}${railway.deploy.healthcheckPath}`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.status, 'ok');
    assert.equal(body.mode, 'dry_run');
    assert.equal(typeof body.uptime_seconds, 'number');
  });

  it("the Dockerfile's HEALTHCHECK command passes while the daemon runs", async () => {
    assert.equal(await runHealthcheck({ PORT: String(port) }), 0);
  });

  it('logs one JSON object per line with LOG_FORMAT=json', () => {
    const lines = daemon!.output().split('\n').filter((l) => l.trim() !== '');
    assert.ok(lines.length >= 3);
    for (const l of lines) {
      const o = JSON.parse(l) as Record<string, unknown>;
      for (const k of ['ts', 'level', 'component', 'msg']) assert.ok(k in o, `${k} in ${l}`);
    }
  });

  it('SIGTERM to the daemon (what Docker and Railway send to PID 1) exits 0, then the health check fails', async () => {
    daemon!.child.kill('SIGTERM');
    const { code, ms } = await daemon!.exited;
    assert.equal(code, 0, daemon!.output());
    assert.ok(ms < 5000, `stopped in ${ms} ms`);
    assert.notEqual(await runHealthcheck({ PORT: String(port) }), 0);
  });
});

/**
 * Follows the Dockerfile without an engine: the build stage's COPY and RUN
 * steps in a scratch directory (npm ci is replaced by the repository's
 * installed node_modules: no network), then the runtime stage's COPY --from
 * steps into a second directory with no node_modules anywhere above it, and
 * runs its CMD there. A daemon that needed a file the image does not carry
 * (a test helper, a dependency, an asset read from disk) would fail here.
 */
describe('an emulated build of the image', () => {
  let sim: KrakenSim;
  let work = '';
  let runDir = '';

  before(async () => {
    sim = await startKrakenSim({ process: { kind: 'manual', price: 0.1 } });
    work = tempDir('ship-image-');
  });

  after(async () => {
    await sim.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  function copyInto(fromPath: string, destDir: string, dest: string, multipleSources: boolean): void {
    const target = path.join(destDir, dest);
    if (fs.statSync(fromPath).isDirectory()) {
      fs.cpSync(fromPath, target, { recursive: true }); // Docker copies a directory's contents
    } else {
      const file = dest.endsWith('/') || multipleSources ? path.join(target, path.basename(fromPath)) : target;
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.copyFileSync(fromPath, file);
    }
  }

  it('the build stage compiles from the copied files alone', () => {
    const build = stages[0];
    const buildDir = path.join(work, 'build');
    fs.mkdirSync(buildDir, { recursive: true });
    const scripts = (JSON.parse(readRepoFile('package.json')) as { scripts: Record<string, string> }).scripts;
    for (const ins of build.instructions) {
      if (ins.keyword === 'COPY') {
        const c = parseCopy(ins.args);
        assert.equal(c.from, null, 'the build stage copies from the build context');
        for (const src of c.sources) copyInto(path.join(repoRoot(), src), buildDir, c.dest, c.sources.length > 1);
      } else if (ins.keyword === 'RUN') {
        if (/^npm ci\b/.test(ins.args)) {
          fs.symlinkSync(path.join(repoRoot(), 'node_modules'), path.join(buildDir, 'node_modules'), 'dir');
        } else {
          const m = /^npm run ([\w:-]+)$/.exec(ins.args.trim());
          assert.ok(m, `the emulation does not know RUN ${ins.args}`);
          const bin = path.join(buildDir, 'node_modules', '.bin');
          execFileSync('sh', ['-c', scripts[m[1]]], { cwd: buildDir, env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` }, stdio: 'pipe' });
        }
      } else {
        assert.ok(['WORKDIR', 'ENV', 'ARG'].includes(ins.keyword), `the emulation does not know ${ins.keyword} in the build stage`);
      }
    }
    assert.ok(fs.existsSync(path.join(buildDir, 'dist', 'src', 'bot.js')), 'the build stage produced dist/src/bot.js');

    runDir = path.join(work, 'runtime');
    fs.mkdirSync(runDir, { recursive: true });
    const buildWd = workdir(build);
    for (const ins of runtime.instructions) {
      if (ins.keyword === 'COPY') {
        const c = parseCopy(ins.args);
        assert.equal(c.from, build.name);
        for (const src of c.sources) {
          const rel = path.posix.relative(buildWd, path.posix.resolve(buildWd, src));
          copyInto(path.join(buildDir, rel), runDir, c.dest, c.sources.length > 1);
        }
      } else if (ins.keyword === 'RUN') {
        assert.match(ins.args, /^(mkdir|chown)\b/, `the emulation does not know RUN ${ins.args} in the runtime stage`);
      }
    }
    assert.ok(!fs.existsSync(path.join(runDir, 'node_modules')), 'no node_modules in the runtime image');
  });

  it('the runtime files start the daemon with the image CMD, answer the HEALTHCHECK and stop on SIGTERM', async () => {
    assert.ok(runDir, 'the build emulation ran');
    const cmd = execForm(last(runtime, 'CMD') ?? '')!;
    const port = await freePort();
    const env = {
      ...stageEnv(runtime),
      PATH: process.env.PATH ?? '',
      // /data is the image's volume; here any writable directory stands in for it.
      LOG_DIR: path.join(work, 'data'),
      DRY_RUN: 'true',
      KRAKEN_API_URL: sim.url,
      PORT: String(port),
      POLL_INTERVAL_SECONDS: '1',
    };
    const child = spawn(process.execPath, cmd.slice(1), { cwd: runDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 20_000;
      while (!/grid built \(startup\)/.test(out)) {
        assert.ok(child.exitCode === null, `the daemon exited early:\n${out}`);
        assert.ok(Date.now() < deadline, `no grid within 20 s:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(await runHealthcheck({ PORT: String(port) }), 0, out);
      child.kill('SIGTERM');
      assert.equal(await exited, 0, out);
      assert.match(out, /open orders cancelled/);
      assert.ok(fs.existsSync(path.join(work, 'data', 'state.json')), 'state saved in LOG_DIR');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
