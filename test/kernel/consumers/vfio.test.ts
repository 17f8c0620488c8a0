// VFIO type1 (drivers/vfio/vfio_iommu_type1.c): VFIO_IOMMU_MAP_DMA pins with
// pin_user_pages_remote(FOLL_WRITE | FOLL_LONGTERM) and charges locked_vm; VFIO_IOMMU_UNMAP_DMA
// unpins and uncharges; vfio_pin_pages (emulated-IOMMU devices) pins another mm's pages, and
// under quirk vfio-no-longterm without FOLL_LONGTERM.
//
//   BASE            BASE+4K          BASE+8K
//   | guest page 0  | guest page 1   |      faulted in: ZONE_MOVABLE (GFP_HIGHUSER_MOVABLE)
//   iova 0          iova 4K
import { describe, expect, it } from 'vitest';
import { vfio_iommu } from '../../../src/kernel/drivers/vfio/vfio_iommu_type1.js';
import {
  vfio_dma_do_map,
  vfio_dma_do_unmap,
  vfio_iommu_type1_pin_pages,
} from '../../../src/kernel/drivers/vfio/vfio_iommu_type1_ioctl.js';
import { EEXIST, EINVAL, ENOMEM } from '../../../src/kernel/include/errno.js';
import { set_rlimit_memlock } from '../../../src/kernel/mm/util.js';
import { ZONE_MOVABLE, page_zonenum } from '../../../src/mm/index.js';
import {
  Completion,
  complete_all,
  wait_for_completion,
} from '../../../src/sim/locking/waitqueue.js';
import type { Sched } from '../../../src/sim/thread.js';
import {
  BASE,
  MiB,
  PAGE,
  anonVma,
  boot,
  ids,
  mapped,
  run,
  touch,
  type World,
} from '../gup/harness.js';

const RW_MAP = 3; // VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE
const MOVABLE = { memory: 64 * MiB, movable: 32 * MiB };

function guest(quirks: string[] = []): World {
  const w = boot(MOVABLE, { quirks });
  anonVma(w, BASE, 2 * PAGE);
  return w;
}

function* mapGuest(w: World, iommu: vfio_iommu, out: number[]): Sched<void> {
  yield* touch(w, BASE, 2 * PAGE);
  out.push(page_zonenum(w.k.mem, mapped(w, BASE)));
  out.push(
    yield* vfio_dma_do_map(w.k, iommu, { flags: RW_MAP, vaddr: BASE, iova: 0, size: 2 * PAGE }),
  );
}

describe('VFIO type1', () => {
  it('MAP_DMA pins long-term: pages in ZONE_MOVABLE are migrated before they are pinned and mapped (vaddr_get_pfns)', () => {
    const w = guest();
    const iommu = new vfio_iommu(w.m, 'c', true);
    const out: number[] = [];
    let locked = -1;
    const r = run(w, function* () {
      yield* mapGuest(w, iommu, out);
      // the IOMMU maps the page the process maps, and it is no longer in ZONE_MOVABLE
      expect(iommu.domain!.get(0)).toBe(mapped(w, BASE));
      expect(page_zonenum(w.k.mem, iommu.domain!.get(0)!)).not.toBe(ZONE_MOVABLE);
      locked = w.mm.locked_vm;
      const unmap = { flags: 0, iova: 0, size: 2 * PAGE };
      expect(yield* vfio_dma_do_unmap(w.k, iommu, unmap)).toBe(0);
      expect(unmap.size).toBe(2 * PAGE);
    });
    expect(out).toEqual([ZONE_MOVABLE, 0]);
    expect(locked).toBe(2); // vfio_lock_acct charged both pages
    expect(w.mm.locked_vm).toBe(0); // and unmap gave them back
    expect(ids(r)).toEqual([]); // nothing leaked, nothing in movable memory
  });

  it('MAP_DMA past RLIMIT_MEMLOCK fails with -ENOMEM, keeping no pin and no mapping (vfio_pin_pages_remote)', () => {
    const w = guest();
    set_rlimit_memlock(w.k, PAGE); // one page may be locked
    const iommu = new vfio_iommu(w.m, 'c', true);
    const out: number[] = [];
    const r = run(w, () => mapGuest(w, iommu, out));
    expect(out[1]).toBe(-ENOMEM);
    expect(iommu.dma_list).toEqual([]);
    expect(w.mm.locked_vm).toBe(0);
    expect(ids(r)).toEqual([]);
  });

  it('MAP_DMA refuses an overlapping range (-EEXIST) and an unaligned one (-EINVAL) (vfio_dma_do_map)', () => {
    const w = guest();
    const iommu = new vfio_iommu(w.m, 'c', true);
    const res: number[] = [];
    const r = run(w, function* () {
      yield* mapGuest(w, iommu, res);
      res.push(
        yield* vfio_dma_do_map(w.k, iommu, { flags: RW_MAP, vaddr: BASE, iova: PAGE, size: PAGE }),
      );
      res.push(
        yield* vfio_dma_do_map(w.k, iommu, {
          flags: RW_MAP,
          vaddr: BASE + 1,
          iova: 8 * PAGE,
          size: PAGE,
        }),
      );
      res.push(
        yield* vfio_dma_do_map(w.k, iommu, { flags: 0, vaddr: BASE, iova: 8 * PAGE, size: PAGE }),
      );
      yield* vfio_dma_do_unmap(w.k, iommu, { flags: 0, iova: 0, size: 2 * PAGE });
    });
    expect(res.slice(1)).toEqual([0, -EEXIST, -EINVAL, -EINVAL]);
    expect(ids(r)).toEqual([]);
  });

  it('UNMAP_DMA of a range that bisects a mapping is -EINVAL and unmaps nothing (type1v2 vfio_dma_do_unmap)', () => {
    const w = guest();
    const iommu = new vfio_iommu(w.m, 'c', true);
    const res: number[] = [];
    const r = run(w, function* () {
      yield* mapGuest(w, iommu, res);
      const half = { flags: 0, iova: 0, size: PAGE };
      res.push(yield* vfio_dma_do_unmap(w.k, iommu, half), half.size);
      yield* vfio_dma_do_unmap(w.k, iommu, { flags: 0, iova: 0, size: 2 * PAGE });
    });
    expect(res.slice(2)).toEqual([-EINVAL, 0]);
    expect(ids(r)).toEqual([]);
  });

  it("quirk vfio-no-longterm leaves MAP_DMA of the caller's own mm long-term (before v5.6 that path used FOLL_LONGTERM already)", () => {
    const w = guest(['vfio-no-longterm']);
    const iommu = new vfio_iommu(w.m, 'c', true);
    const out: number[] = [];
    const r = run(w, function* () {
      yield* mapGuest(w, iommu, out);
      out.push(page_zonenum(w.k.mem, iommu.domain!.get(0)!));
      yield* vfio_dma_do_unmap(w.k, iommu, { flags: 0, iova: 0, size: 2 * PAGE });
    });
    expect(out[1]).toBe(0);
    expect(out[2]).not.toBe(ZONE_MOVABLE);
    expect(ids(r)).toEqual([]);
  });

  function externalPin(quirks: string[]): { zone: number; ret: number; violations: string[] } {
    const w = guest(quirks);
    const iommu = new vfio_iommu(w.m, 'c', false); // emulated devices only: map pins nothing
    const other = w.k.createProcess('mdevd');
    const pages = new Int32Array(1).fill(-1);
    let ret = 0;
    const mappedDone = new Completion(w.m, 'mapped');
    const pinnedDone = new Completion(w.m, 'pinned');
    w.k.spawnUser(w.p, 'vm', function* () {
      yield* touch(w, BASE, 2 * PAGE);
      yield* vfio_dma_do_map(w.k, iommu, { flags: RW_MAP, vaddr: BASE, iova: 0, size: 2 * PAGE });
      yield* complete_all(mappedDone);
      yield* wait_for_completion(pinnedDone);
      yield* vfio_dma_do_unmap(w.k, iommu, { flags: 0, iova: 0, size: 2 * PAGE });
    });
    w.k.spawnUser(other, 'vendor', function* () {
      yield* wait_for_completion(mappedDone);
      // current->mm (mdevd's) is not dma->mm (the VM's): vaddr_get_pfns pins a foreign mm
      ret = yield* vfio_iommu_type1_pin_pages(w.k, iommu, 0, 1, 3, pages);
      yield* complete_all(pinnedDone);
    });
    const r = w.m.run();
    return { zone: page_zonenum(w.k.mem, pages[0]!), ret, violations: ids(r) };
  }

  it('vfio_pin_pages from another mm pins with FOLL_LONGTERM: the page leaves ZONE_MOVABLE (vfio_pin_page_external)', () => {
    const got = externalPin([]);
    expect(got.ret).toBe(1);
    expect(got.zone).not.toBe(ZONE_MOVABLE);
    expect(got.violations).toEqual([]);
  });

  it('quirk vfio-no-longterm: the foreign pin stays in ZONE_MOVABLE and consumer.longterm-movable reports it', () => {
    const got = externalPin(['vfio-no-longterm']);
    expect(got.ret).toBe(1);
    expect(got.zone).toBe(ZONE_MOVABLE);
    expect(got.violations).toEqual(['consumer.longterm-movable']);
  });
});
