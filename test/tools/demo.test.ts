// `npm run demo` (dist/src/tools/demo.js) as a newcomer runs it: the simulator and
// the LIVE daemon start with one command, the dashboard answers, fills come,
// SIGTERM stops the bot (orders cancelled) and then the simulator; a taken
// port and bad arguments are refused with a clear message.
import '../support/core.js';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseDemoArgs } from '../../src/tools/demo.js';
import { httpRequest } from '../../src/util/http-client.js';
import { freePort } from '../support/net.js';

const DEMO_JS = fileURLToPath(new URL('../../src/tools/demo.js', import.meta.url));


function runDemoSync(args: string[]) {
  return spawnSync(process.execPath, [DEMO_JS, ...args], { env: {}, encoding: 'utf8', timeout: 15_000 });
}

describe('npm run demo', () => {
  it('--help explains what it is and its options', () => {
    const r = runDemoSync(['--help']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /LIVE mode against a local Kraken simulator/);
    assert.match(r.stdout, /--port N/);
    assert.match(r.stdout, /Ctrl-C/);
    assert.match(r.stdout, /--tier T .*starter \(default/s);
  });

  it('runs at the Starter tier unless told otherwise (a new Kraken account is Starter)', () => {
    assert.equal(parseDemoArgs([]).tier, 'starter');
    assert.equal(parseDemoArgs(['--tier', 'intermediate']).tier, 'intermediate');
    assert.equal(parseDemoArgs(['--tier=pro']).tier, 'pro');
  });

  it('refuses unknown arguments and bad values', () => {
    for (const args of [['--bogus'], ['--port'], ['--port', 'abc'], ['--port', '70000'], ['--tier', 'gold'], ['--tier']]) {
      const r = runDemoSync(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^demo: /);
      assert.match(r.stderr, /usage: npm run demo/);
    }
  });

  it('refuses clearly when the dashboard port is taken, starting nothing', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '0.0.0.0', () => resolve()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const r = runDemoSync(['--port', String(port)]);
      assert.equal(r.status, 1);
      assert.match(r.stderr, new RegExp(`port ${port} is already in use`));
      assert.doesNotMatch(r.stdout, /simulator/);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('starts the simulator and the live bot, shows the dashboard and fills, and stops both on SIGTERM', async () => {
    const port = await freePort('0.0.0.0');
    // The demo's default, Starter: a stop seconds after the grid was placed cancels what the trading
    // counter allows and reports the rest (young orders cost up to 8 points each to cancel).
    const child = spawn(process.execPath, [DEMO_JS, '--port', String(port), '--seed', '5'], { env: {}, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const waitFor = async (re: RegExp, ms: number) => {
      const end = Date.now() + ms;
      while (!re.test(out)) {
        if (Date.now() > end || child.exitCode !== null) throw new Error(`no ${re} in the demo output:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      await waitFor(/grid built \(startup\)/, 15_000);
      assert.match(out, /LIVE mode against a local Kraken simulator/);
      assert.match(out, /tier +Kraken Starter/);
      assert.match(out, new RegExp(`dashboard +http://localhost:${port}/`));
      assert.match(out, new RegExp(`dashboard ready at http://localhost:${port}/`));
      assert.match(out, /LIVE TRADING on XDGUSD/, 'the bot output is forwarded');
      const health = await httpRequest({ url: `http://127.0.0.1:${port}/health`, timeoutMs: 2000 });
      assert.equal(health.status, 200);
      assert.equal((JSON.parse(health.body) as { mode: string }).mode, 'live');
      const page = await httpRequest({ url: `http://127.0.0.1:${port}/`, timeoutMs: 2000 });
      assert.equal(page.status, 200);
      await waitFor(/\[sim\] \d\d:\d\d:\d\d (buy|sell) /, 60_000);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, out);
    // The bot says how many orders it left (none: "open orders cancelled"), and the simulator's book agrees.
    const left = /(\d+) orders? still open on Kraken/.exec(out);
    const kept = left ? Number(left[1]) : 0;
    if (!left) assert.match(out, /open orders cancelled/);
    assert.match(out, new RegExp(`, ${kept} orders left open; simulator stopped`));
    assert.doesNotMatch(out, /ERROR/);
    // The port is free again.
    const again = net.createServer();
    await new Promise<void>((resolve, reject) => {
      again.once('error', reject);
      again.listen(port, '0.0.0.0', () => resolve());
    });
    await new Promise((resolve) => again.close(resolve));
  });
});
