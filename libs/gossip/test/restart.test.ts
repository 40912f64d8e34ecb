import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startGossip, type Gossip, type GossipOptions, type Member } from '../src/index.js';

const timing = { probeIntervalMs: 200, probeTimeoutMs: 300, suspectAfterMs: 600, deadAfterMs: 1500, deadProbeIntervalMs: 500 };
const base = { host: '127.0.0.1', port: 0, secret: 'cluster-secret', ...timing };
// Margin on top of deadAfterMs: the machine has 2 cores and other work on it.
const deadWithin = { timeout: timing.deadAfterMs + 4000, interval: 25 };
const waitLong = { timeout: 20_000, interval: 50 };

let nodes: Gossip[] = [];
let children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(nodes.map((n) => n.close()));
  nodes = [];
  children = [];
});

async function start(name: string, seeds: string[] = [], options: Partial<GossipOptions> = {}): Promise<Gossip> {
  const node = await startGossip({ ...base, meta: { name, address: `127.0.0.1:5006${nodes.length}`, feeds: 0, maxFeeds: 10 }, seeds, ...options });
  nodes.push(node);
  return node;
}

/** Starts a node in a child process (tsx runs the TypeScript) and waits for its first line. */
async function spawnNode(name: string, seeds: string[], port = 0): Promise<{ id: string; child: ChildProcess }> {
  const options: GossipOptions = { ...base, port, meta: { name, address: '127.0.0.1:50070', feeds: 3, maxFeeds: 10 }, seeds };
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/child-node.ts', JSON.stringify(options)], {
    cwd: `${import.meta.dirname}/..`,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const [line] = await Promise.race([
    createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next().then((r) => [r.value as string]),
    new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`child exited with ${code}`)))),
  ]);
  return { id: (JSON.parse(line!) as { id: string }).id, child };
}

async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

const entry = (node: Gossip, id: string): Member | undefined => node.members().find((m) => m.id === id);

describe('a node killed with SIGKILL', () => {
  it('is seen dead by the others within deadAfterMs (+ margin), and its restart (new key) replaces it', async () => {
    const a = await start('a');
    const b = await start('b', [a.record]);
    const first = await spawnNode('c', [a.record]);
    await vi.waitFor(() => {
      for (const node of [a, b]) expect(entry(node, first.id)).toMatchObject({ state: 'alive', meta: { name: 'c', feeds: 3 } });
    }, waitLong);

    const events: string[] = [];
    a.on('updated', (m) => events.push(`updated ${m.meta.name} ${m.state}`));
    a.on('left', (m) => events.push(`left ${m.meta.name} ${m.state}`));
    a.on('joined', (m) => events.push(`joined ${m.meta.name} ${m.id === first.id ? 'old' : 'new'}`));

    let deadAtMs = 0;
    for (const node of [a, b]) node.on('left', () => (deadAtMs = Date.now()));
    const killedAt = Date.now();
    first.child.kill('SIGKILL');
    await vi.waitFor(() => {
      for (const node of [a, b]) expect(entry(node, first.id)?.state).toBe('dead');
    }, deadWithin);
    console.log(`SIGKILL -> dead on both others after ${deadAtMs - killedAt} ms (deadAfterMs ${timing.deadAfterMs})`);
    expect(events).toEqual(['updated c suspect', 'left c dead']);

    const second = await spawnNode('c', [a.record]);
    expect(second.id).not.toBe(first.id);
    await vi.waitFor(() => {
      for (const node of [a, b]) {
        expect(node.members().filter((m) => m.meta.name === 'c')).toEqual([expect.objectContaining({ id: second.id, state: 'alive' })]);
      }
    }, waitLong);
    expect(events).toEqual(['updated c suspect', 'left c dead', 'joined c new']);
    expect(b.alive().map((m) => m.meta.name).sort()).toEqual(['a', 'c']);
  });

  it('restarted on the same port before anyone noticed its death: the old entry is replaced (left, then joined)', async () => {
    const patient = { suspectAfterMs: 10_000, deadAfterMs: 20_000 };
    const a = await start('a', [], patient);
    const port = await freeUdpPort();
    const first = await spawnNode('c', [a.record], port);
    await vi.waitFor(() => expect(entry(a, first.id)?.state).toBe('alive'), waitLong);
    const events: string[] = [];
    a.on('left', (m) => events.push(`left ${m.id === first.id ? 'old' : 'new'} ${m.state}`));
    a.on('joined', (m) => events.push(`joined ${m.id === first.id ? 'old' : 'new'} ${m.state}`));

    first.child.kill('SIGKILL');
    const second = await spawnNode('c', [a.record], port);
    await vi.waitFor(() => expect(events).toEqual(['left old left', 'joined new alive']), waitLong);
    expect(a.members().map((m) => m.id)).toEqual([second.id]);
  });
});
