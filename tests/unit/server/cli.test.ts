import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import net from 'node:net';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion. */
function runCli(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawnCli(args);
    child.exited.then(resolve, () => {});
  });
}

/** Starts the CLI and exposes its output while it runs. */
function spawnCli(args: string[]) {
  const child = spawn(process.execPath, ['server/cli.ts', ...args], {
    env: { ...process.env, PORT: '', MQTT_PORT: '', BROKER_URL: '', BROKER_TCP_URL: '' },
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exited = new Promise<Run>((resolve) =>
    child.on('exit', (code) => resolve({ code, ...out })),
  );
  return { child, out, exited };
}

describe('the CLI', () => {
  it.each([
    [['--port', '70000'], /--port must be a whole number from 0 to 65535/],
    [['--mqtt-port', 'abc'], /--mqtt-port must be a whole number/],
    [['--frobnicate'], /Unknown option '--frobnicate'/],
    [['--broker-url', 'http://example.com'], /--broker-url must start with ws:\/\/, wss:\/\//],
    [['--broker-tcp-url', 'ftp://example.com'], /--broker-tcp-url must start with mqtt:\/\//],
  ])('exits 2 with a clear message for %j', async (args, message) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('prints every option for --help and exits 0', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/--broker-tcp-url/);
    expect(run.stdout).toMatch(/MQTT_PORT/);
  });

  it('names the busy port and the option to change it, in one line, with exit code 1', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const run = await runCli([
        '--no-site',
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--mqtt-port',
        '0',
      ]);
      expect(run.code).toBe(1);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toContain(`port ${port} is already in use`);
      expect(run.stderr).toContain('--port');
    } finally {
      blocker.close();
    }
  });

  it('says which option moves a busy MQTT port', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const run = await runCli([
        '--no-site',
        '--host',
        '127.0.0.1',
        '--port',
        '0',
        '--mqtt-port',
        String(port),
      ]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('--mqtt-port');
    } finally {
      blocker.close();
    }
  });

  it('prints a banner with the broker URLs and exits within 2 s of SIGINT', async () => {
    const cli = spawnCli(['--no-site', '--host', '127.0.0.1', '--port', '0', '--mqtt-port', '0']);
    await expect.poll(() => cli.out.stdout, { timeout: 10_000 }).toMatch(/Ctrl-C/);
    expect(cli.out.stdout).toMatch(/MQTT\/TCP\s+mqtt:\/\/127\.0\.0\.1:\d+/);
    expect(cli.out.stdout).toMatch(/MQTT\/WebSocket\s+ws:\/\/127\.0\.0\.1:\d+\/mqtt/);
    expect(cli.out.stdout).toMatch(/embedded/);
    const port = Number(/mqtt:\/\/127\.0\.0\.1:(\d+)/.exec(cli.out.stdout)?.[1]);
    // A connected client must not keep the server alive.
    const client = net.connect(port, '127.0.0.1');
    await new Promise((r) => client.once('connect', r));
    const started = Date.now();
    cli.child.kill('SIGINT');
    const run = await cli.exited;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(run.code).toBe(0);
    client.destroy();
  });

  it('reports an external broker in the banner and leaves the embedded one off', async () => {
    const cli = spawnCli([
      '--no-site',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--broker-url',
      'ws://127.0.0.1:9/mqtt',
    ]);
    await expect.poll(() => cli.out.stdout, { timeout: 10_000 }).toMatch(/Ctrl-C/);
    expect(cli.out.stdout).toMatch(/external/);
    expect(cli.out.stdout).toContain('ws://127.0.0.1:9/mqtt');
    expect(cli.out.stdout).not.toMatch(/mqtt:\/\/127/);
    cli.child.kill('SIGTERM');
    expect((await cli.exited).code).toBe(0);
  });
});
