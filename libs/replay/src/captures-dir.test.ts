import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { capturesDir } from './captures-dir.js';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('capturesDir', () => {
  it('is LEVEL4_CAPTURES when set, relative paths taken from the repository root', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'replay-captures-'));
    try {
      vi.stubEnv('LEVEL4_CAPTURES', dir);
      expect(capturesDir(import.meta.dirname)).toBe(dir);
      vi.stubEnv('LEVEL4_CAPTURES', 'libs/replay/src');
      expect(capturesDir(import.meta.dirname)).toBe(import.meta.dirname);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a missing folder: a visible notice and undefined (skip), but an error under CI', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    vi.stubEnv('LEVEL4_CAPTURES', '/nonexistent/captures');
    vi.stubEnv('CI', 'false');
    expect(capturesDir(import.meta.dirname)).toBeUndefined();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('/nonexistent/captures not found'));
    vi.stubEnv('CI', 'true');
    expect(() => capturesDir(import.meta.dirname)).toThrow('under CI');
  });
});
