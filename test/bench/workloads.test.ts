/**
 * The work the dio and migrate benchmarks time, at a small size, so the suites keep running
 * as the model changes (no speed is asserted here: `npm run bench` measures it).
 */
import { describe, expect, it } from 'vitest';
import { dioRun } from '../../bench/dio.bench.js';
import { migrateRun } from '../../bench/migrate.bench.js';

const MiB = 1024 * 1024;

describe('benchmark workloads', () => {
  it('O_DIRECT pwrite/pread of an anon user buffer on ext4 moves every byte and leaves no pin (iomap_dio_rw_bio)', () => {
    const r = dioRun(4 * MiB, MiB);
    expect(r.written).toBe(4 * MiB);
    expect(r.readBack).toBe(4 * MiB);
    expect(r.wrongPages).toBe(0);
    expect(r.pinsLeft).toBe(0);
  });

  it('migrate_pages moves every isolated 4 KiB anon folio to a new frame with its content', () => {
    const r = migrateRun(4 * MiB, false);
    expect(r.pages).toBe(1024);
    expect(r.folios).toBe(1024);
    expect(r.failed).toBe(0);
    expect(r.unmoved).toBe(0);
    expect(r.wrongPages).toBe(0);
  });

  it('migrate_pages moves THP-backed anon memory as 2 MiB folios', () => {
    const r = migrateRun(4 * MiB, true);
    expect(r.pages).toBe(1024);
    expect(r.folios).toBe(2);
    expect(r.failed).toBe(0);
    expect(r.unmoved).toBe(0);
    expect(r.wrongPages).toBe(0);
  });
});
