/**
 * The venue side of node.bench.ts, in a process of its own (so that the replay server does not
 * share the node's event loop): serves a looped Binance spot session and answers the parent's
 * questions over IPC. Started by node.bench.ts with `fork`.
 */
import { readCapture, startReplay, type ReplayOptions } from '@level4/replay';
import { loopedCapture } from './looped-capture.js';

interface Start { file: string; minFrames: number; pace: ReplayOptions['pace'] }

const send = (message: unknown) => process.send?.(message);

process.once('message', async (start: Start) => {
  const recorded = await readCapture(start.file);
  const { capture, frames, laps } = loopedCapture(recorded, start.minFrames);
  const server = await startReplay({ capture, waitForRequests: true, ...(start.pace ? { pace: start.pace } : {}) });
  process.on('message', async (message: { ask: 'sent' | 'done' | 'close' }) => {
    if (message.ask === 'done') await server.sessionsDone();
    if (message.ask === 'close') {
      await server.close();
      send({ sent: server.sentFrames() });
      process.disconnect();
      return;
    }
    send({ sent: server.sentFrames() });
  });
  send({ port: server.port, frames, laps });
});
