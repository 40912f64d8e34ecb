import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CaptureWriter, formatCaptureLine, parseCapture, readCapture, type CaptureLine } from './capture.js';

const lines: CaptureLine[] = [
  { t: 1633998511132.921, kind: 'http', dir: 'get', url: 'https://api.binance.com/api/v3/depth?symbol=BTCUSDT&limit=1000', status: 200, data: '{"lastUpdateId":1}' },
  { t: 1633998511159.679, kind: 'ws', dir: 'open', url: 'wss://stream.binance.com:9443/stream?streams=btcusdt@depth' },
  { t: 1633998511160, kind: 'ws', dir: 'send', url: 'wss://stream.binance.com:9443/stream?streams=btcusdt@depth', data: '{"method":"SUBSCRIBE","id":1}' },
  { t: 1633998512063.357, kind: 'ws', dir: 'recv', url: 'wss://stream.binance.com:9443/stream?streams=btcusdt@depth', data: '{"stream":"btcusdt@depth","data":{"u":2}}' },
  { t: 0, kind: 'ws', dir: 'recv', url: 'wss://stream.bybit.com/v5/public/linear', data: '{"success":false}', source: 'docs-example' },
];

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('capture format', () => {
  it('formats one JSON line per event, fields in the fixtures order, and parses it back', () => {
    expect(formatCaptureLine(lines[0])).toBe(
      '{"t":1633998511132.921,"kind":"http","dir":"get","url":"https://api.binance.com/api/v3/depth?symbol=BTCUSDT&limit=1000","status":200,"data":"{\\"lastUpdateId\\":1}"}',
    );
    // Field order does not depend on the order the caller wrote them in.
    expect(formatCaptureLine({ data: 'x', url: 'wss://a.example/ws', dir: 'recv', kind: 'ws', t: 5 })).toBe(
      '{"t":5,"kind":"ws","dir":"recv","url":"wss://a.example/ws","data":"x"}',
    );
    const text = lines.map(formatCaptureLine).join('\n') + '\n';
    expect(parseCapture(text)).toEqual(lines);
  });

  it('skips blank lines and tolerates CRLF', () => {
    const text = '\n' + lines.slice(1, 3).map(formatCaptureLine).join('\r\n') + '\r\n\r\n';
    expect(parseCapture(text)).toEqual(lines.slice(1, 3));
  });

  it('names the file and the line of the first bad line', () => {
    const good = formatCaptureLine(lines[1]);
    expect(() => parseCapture(`${good}\n{"t":1,"kind":"ws"`, 'spot.jsonl')).toThrow(/^spot\.jsonl:2: not JSON/);
    expect(() => parseCapture(`${good}\n\n{"t":1,"kind":"ftp","dir":"get","url":"https://a.example/"}`, 'a.jsonl')).toThrow(
      'a.jsonl:3: `kind` must be "ws" or "http", got "ftp"',
    );
    expect(() => parseCapture('{"t":"now","kind":"ws","dir":"open","url":"wss://a.example/"}')).toThrow('capture:1: `t` must be a number');
    expect(() => parseCapture('{"t":1,"kind":"http","dir":"recv","url":"https://a.example/","data":""}')).toThrow('`dir` of a http line must be "get"');
    expect(() => parseCapture('{"t":1,"kind":"http","dir":"get","url":"https://a.example/","data":"{}"}')).toThrow('needs an integer `status`');
    expect(() => parseCapture('{"t":1,"kind":"ws","dir":"recv","url":"wss://a.example/"}')).toThrow('a recv line needs `data`');
    expect(() => parseCapture('{"t":1,"kind":"ws","dir":"recv","url":"/relative","data":"{}"}')).toThrow('`url` must be an absolute URL');
    expect(() => parseCapture('[1,2]')).toThrow('capture:1: not a JSON object');
  });

  it('readCapture names the file path in its errors', async () => {
    dir = await mkdtemp(join(tmpdir(), 'replay-capture-'));
    const path = join(dir, 'bad.jsonl');
    await writeFile(path, formatCaptureLine(lines[1]) + '\n{"t":1}\n');
    await expect(readCapture(path)).rejects.toThrow(`${path}:2: \`kind\``);
  });

  it('CaptureWriter appends lines that readCapture reads back unchanged', async () => {
    dir = await mkdtemp(join(tmpdir(), 'replay-capture-'));
    const path = join(dir, 'out.jsonl');
    const first = new CaptureWriter(path);
    for (const line of lines.slice(0, 2)) first.write(line);
    await first.close();
    await first.close(); // idempotent
    expect(() => first.write(lines[2])).toThrow('write after close');

    const second = new CaptureWriter(path); // appends, never truncates
    for (const line of lines.slice(2)) second.write(line);
    await second.close();

    expect(await readCapture(path)).toEqual(lines);
    expect(await readFile(path, 'utf8')).toBe(lines.map((l) => formatCaptureLine(l) + '\n').join(''));
  });

  it('CaptureWriter refuses an invalid line before writing anything', async () => {
    dir = await mkdtemp(join(tmpdir(), 'replay-capture-'));
    const writer = new CaptureWriter(join(dir, 'out.jsonl'));
    expect(() => writer.write({ t: 1, kind: 'http', dir: 'get', url: 'https://a.example/', data: '' })).toThrow('needs an integer `status`');
    await writer.close();
    expect(await readCapture(join(dir, 'out.jsonl'))).toEqual([]);
  });

  it('CaptureWriter.close rejects when the file cannot be written', async () => {
    const writer = new CaptureWriter('/nonexistent-dir/out.jsonl');
    await expect(writer.close()).rejects.toThrow(/ENOENT/);
  });
});
