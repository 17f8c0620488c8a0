// The Xen operations in scenarios: privcmd_ioctl_dm_op's `bufs` argument is checked where it is
// written, a mapping or request that is not one is a runtime input error, and the grant path runs.
import { describe, expect, it } from 'vitest';
import { expectError, withSteps } from '../helpers.js';
import { run, scenario, steps } from './helpers.js';

const MMAP =
  'mmap: { as: buf, length: 8KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_PRIVATE, MAP_ANONYMOUS] }';

describe('privcmd_ioctl_dm_op bufs', () => {
  it('rejects an unknown key in a buffer (GS103) at the key', () => {
    const text = withSteps(MMAP, 'privcmd_ioctl_dm_op: { bufs: [{ addr: buf, len: 8 }] }');
    expectError(text, 'GS103', 'len: 8');
  });

  it('rejects a buffer without its length (GS104)', () => {
    const text = withSteps(MMAP, 'privcmd_ioctl_dm_op: { bufs: [{ addr: buf }] }');
    expectError(text, 'GS104', '{ addr: buf }');
  });

  it('rejects bufs that is not a list (GS105)', () => {
    const text = withSteps(MMAP, 'privcmd_ioctl_dm_op: { bufs: buf }');
    expectError(text, 'GS105', 'buf }');
  });

  it('rejects a buffer address that is not an address name (GS143)', () => {
    const text = withSteps(
      MMAP,
      'privcmd_ioctl_dm_op: { as: r, bufs: [{ addr: buf, length: 8 }] }',
      'privcmd_ioctl_dm_op: { bufs: [{ addr: r, length: 8 }] }',
    );
    expectError(text, 'GS143', 'r, length');
  });

  it('binds the ioctl return value (-E2BIG for a buffer above dm_op_buf_max_size)', () => {
    const p = scenario(
      steps(
        MMAP,
        'privcmd_ioctl_dm_op: { as: r, dom: 1, bufs: [{ addr: buf, length: 8KiB }], value: 7 }',
        'expect: { value: r, equals: -E2BIG }',
      ),
    );
    expect(run(p).verdict.pass).toBe(true);
  });
});

describe('the grant path', () => {
  it('is a runtime input error to unmap a mapping no gnttab_map_refs bound (GS161)', () => {
    const p = scenario(steps('gnttab_unmap_refs: { map: 3 }'));
    const { report } = run(p);
    expect(report.error?.code).toBe('GS161');
    expect(report.error?.problem).toContain('not a mapping bound by gnttab_map_refs');
  });

  it('maps a request granted by blkfront and reads through it in one thread', () => {
    const p = scenario(
      steps(
        'blkif_queue_request: { as: req }',
        'gnttab_map_refs: { as: g, ref: req }',
        'do_blockdev_direct_IO: { as: n, map: g, value: 0x11 }',
        'expect: { value: n, equals: 4KiB }',
        'gnttab_unmap_refs: { map: g }',
        'make_response: { req: req }',
        'blkif_interrupt: { as: v, req: req }',
        'expect: { value: v, equals: 0x11 }',
      ),
    );
    const { verdict, result } = run(p);
    expect(result.status).toBe('done');
    expect(verdict.pass).toBe(true);
  });
});
