import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectPorts, MAP_FILE, renderMap } from '../../scripts/kernel-map.js';

describe('docs/kernel-map.md', () => {
  it('lists every cited port and is up to date (run `npm run kernel-map` after adding ports)', () => {
    const ports = collectPorts();
    expect(ports.length).toBeGreaterThan(50);
    expect(readFileSync(MAP_FILE, 'utf8')).toBe(renderMap(ports));
  });
});
