// Spot checks of kernel constants against the v6.18 headers they mirror, and the name tables.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BIT, maskAnd, maskAndNot, maskOr, maskWeight } from '../../../src/kernel/include/bits.js';
import {
  EFAULT,
  EHWPOISON,
  ERESTARTSYS,
  errnoName,
  errnoValue,
} from '../../../src/kernel/include/errno.js';
import {
  FAULT_FLAG_UNSHARE,
  VM_FAULT_COMPLETED,
  VM_FAULT_RETRY,
} from '../../../src/kernel/include/fault_flags.js';
import { O_DIRECT, O_SYNC, O_TMPFILE, openTable } from '../../../src/kernel/include/fcntl.js';
import * as foll from '../../../src/kernel/include/gup_flags.js';
import { MFD_HUGE_1GB, MFD_HUGETLB } from '../../../src/kernel/include/memfd.js';
import * as mman from '../../../src/kernel/include/mman.js';
import {
  VM_HUGETLB,
  VM_SEALED,
  VM_SHADOW_STACK,
  VM_SOFTDIRTY,
  vmFlagTable,
} from '../../../src/kernel/include/vm_flags.js';

describe('values match the kernel headers', () => {
  it('FOLL_* (include/linux/mm_types.h, mm/internal.h)', () => {
    expect(foll.FOLL_WRITE).toBe(0x1);
    expect(foll.FOLL_FORCE).toBe(0x8);
    expect(foll.FOLL_LONGTERM).toBe(0x100);
    expect(foll.FOLL_HONOR_NUMA_FAULT).toBe(0x1000);
    expect(foll.FOLL_TOUCH).toBe(0x10000);
    expect(foll.FOLL_PIN).toBe(0x80000);
    expect(foll.FOLL_MADV_POPULATE).toBe(0x400000);
    expect(foll.INTERNAL_GUP_FLAGS).toBe(0x7f0000);
  });

  it('mman (asm-generic/mman-common.h, linux/mman.h, x86 asm/mman.h)', () => {
    expect(mman.MAP_ANONYMOUS).toBe(0x20);
    expect(mman.MAP_PRIVATE).toBe(0x02);
    expect(mman.MAP_32BIT).toBe(0x40);
    expect(mman.MAP_NORESERVE).toBe(0x4000);
    expect(mman.MAP_HUGE_2MB).toBe(21 << 26);
    expect(mman.MAP_HUGE_16GB).toBe(0x88000000);
    expect(mman.MADV_POPULATE_WRITE).toBe(23);
    expect(mman.MADV_COLLAPSE).toBe(25);
    expect(mman.MADV_GUARD_INSTALL).toBe(102);
    expect(mman.PROT_GROWSDOWN).toBe(0x01000000);
  });

  it('errno (asm-generic/errno-base.h, errno.h, linux/errno.h)', () => {
    expect(EFAULT).toBe(14);
    expect(EHWPOISON).toBe(133);
    expect(ERESTARTSYS).toBe(512);
  });

  it('fcntl, memfd, fault and vm flags', () => {
    expect(O_DIRECT).toBe(0o40000);
    expect(O_SYNC).toBe(0o4010000);
    expect(O_TMPFILE).toBe(0o20200000);
    expect(MFD_HUGETLB).toBe(4);
    expect(MFD_HUGE_1GB).toBe(30 << 26);
    expect(FAULT_FLAG_UNSHARE).toBe(0x400);
    expect(VM_FAULT_RETRY).toBe(0x400);
    expect(VM_FAULT_COMPLETED).toBe(0x4000);
    expect(VM_HUGETLB).toBe(0x00400000);
    expect(VM_SOFTDIRTY).toBe(0x08000000);
    expect(VM_SHADOW_STACK).toBe(2 ** 37);
    expect(VM_SEALED).toBe(2 ** 42);
  });
});

describe('errno names', () => {
  it('prints a kernel return with its sign', () => {
    expect(errnoName(-14)).toBe('-EFAULT');
    expect(errnoName(14)).toBe('EFAULT');
    expect(errnoName(-11)).toBe('-EAGAIN'); // canonical name, not the EWOULDBLOCK alias
    expect(errnoName(0)).toBe('0');
    expect(errnoName(-9999)).toBe('-9999');
  });

  it('parses names back, aliases included', () => {
    expect(errnoValue('-EFAULT')).toBe(-14);
    expect(errnoValue('EWOULDBLOCK')).toBe(11);
    expect(errnoValue('-EFAUL')).toBeUndefined();
  });
});

describe('name tables', () => {
  it('turns a flag list into a number and back', () => {
    const value = foll.follTable.encode(['FOLL_WRITE', 'FOLL_LONGTERM']);
    expect(value).toBe(0x101);
    expect(foll.follTable.decode(0x101).sort()).toEqual(['FOLL_LONGTERM', 'FOLL_WRITE']);
    expect(foll.follTable.encode(['FOLL_WRITE', 'FOLL_NOPE'])).toBeUndefined();
  });

  it('decodes multi-bit values as one name and unknown bits as hex', () => {
    expect(mman.mapTable.decode(0x03)).toEqual(['MAP_SHARED_VALIDATE']);
    expect(mman.mapTable.decode(mman.MAP_HUGETLB | mman.MAP_HUGE_1GB | 0x02).sort()).toEqual([
      'MAP_HUGETLB',
      'MAP_HUGE_1GB',
      'MAP_PRIVATE',
    ]);
    expect(foll.follTable.decode(0x8000)).toEqual(['0x8000']);
    expect(mman.protTable.decode(0)).toEqual(['PROT_NONE']);
    expect(openTable.decode(O_SYNC)).toEqual(['O_SYNC']);
  });

  it('handles vm_flags above bit 31', () => {
    const mask = vmFlagTable.encode(['VM_READ', 'VM_SEALED', 'VM_SHADOW_STACK']);
    expect(mask).toBe(1 + 2 ** 42 + 2 ** 37);
    expect(vmFlagTable.decode(mask ?? 0).sort()).toEqual([
      'VM_READ',
      'VM_SEALED',
      'VM_SHADOW_STACK',
    ]);
  });

  it('round-trips any set of FOLL_* names (property)', () => {
    const names = foll.follTable.names;
    fc.assert(
      fc.property(fc.subarray([...names]), (subset) => {
        const mask = foll.follTable.encode(subset) ?? -1;
        expect(foll.follTable.decode(mask).sort()).toEqual(
          subset.length ? [...subset].sort() : ['0'],
        );
      }),
    );
  });
});

describe('64-bit mask helpers', () => {
  it('agree with BigInt arithmetic below 2^53 (property)', () => {
    const mask = fc.bigInt({ min: 0n, max: 2n ** 53n - 1n });
    fc.assert(
      fc.property(mask, mask, (a, b) => {
        expect(maskOr(Number(a), Number(b))).toBe(Number(a | b));
        expect(maskAnd(Number(a), Number(b))).toBe(Number(a & b));
        expect(maskAndNot(Number(a), Number(b))).toBe(Number(a & ~b));
      }),
    );
    expect(maskWeight(BIT(42) + 3)).toBe(3);
  });
});
