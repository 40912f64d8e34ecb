// A gossip node in its own process, for tests that kill it: `node --import tsx child-node.ts '<json options>'`.
// Prints one JSON line ({ id, record, port }) once started, then runs until killed.
import { startGossip, type GossipOptions } from '../src/index.js';

const options = JSON.parse(process.argv[2] ?? '{}') as GossipOptions;
const node = await startGossip(options);
process.stdout.write(`${JSON.stringify({ id: node.id, record: node.record, port: node.port })}\n`);
process.on('SIGTERM', () => void node.close().then(() => process.exit(0)));
