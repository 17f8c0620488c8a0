/**
 * GFP flags and the rules that turn them into a zone and a migratetype:
 * include/linux/gfp_types.h, include/linux/gfp.h, include/linux/sched/mm.h, include/linux/sched.h
 * (v6.18, x86-64, without CONFIG_KASAN_HW_TAGS and CONFIG_LOCKDEP, so __GFP_SKIP_KASAN is 0).
 */
import {
  MIGRATE_MOVABLE,
  MIGRATE_RECLAIMABLE,
  MIGRATE_UNMOVABLE,
  ZONE_DMA,
  ZONE_DMA32,
  ZONE_MOVABLE,
  ZONE_NORMAL,
} from './zone.js';

/** include/linux/gfp_types.h: __GFP_* bits (enum ___GFP_*_BIT order). @fidelity exact */
export const __GFP_DMA = 1 << 0;
export const __GFP_HIGHMEM = 1 << 1;
export const __GFP_DMA32 = 1 << 2;
export const __GFP_MOVABLE = 1 << 3;
export const __GFP_RECLAIMABLE = 1 << 4;
export const __GFP_HIGH = 1 << 5;
export const __GFP_IO = 1 << 6;
export const __GFP_FS = 1 << 7;
export const __GFP_ZERO = 1 << 8;
export const __GFP_DIRECT_RECLAIM = 1 << 10;
export const __GFP_KSWAPD_RECLAIM = 1 << 11;
export const __GFP_WRITE = 1 << 12;
export const __GFP_NOWARN = 1 << 13;
export const __GFP_RETRY_MAYFAIL = 1 << 14;
export const __GFP_NOFAIL = 1 << 15;
export const __GFP_NORETRY = 1 << 16;
export const __GFP_MEMALLOC = 1 << 17;
export const __GFP_COMP = 1 << 18;
export const __GFP_NOMEMALLOC = 1 << 19;
export const __GFP_HARDWALL = 1 << 20;
export const __GFP_THISNODE = 1 << 21;
export const __GFP_ACCOUNT = 1 << 22;
export const __GFP_ZEROTAGS = 1 << 23;
export const __GFP_SKIP_KASAN = 0;

/** include/linux/gfp_types.h: composite masks. @fidelity exact */
export const __GFP_RECLAIM = __GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM;
export const GFP_ZONEMASK = __GFP_DMA | __GFP_HIGHMEM | __GFP_DMA32 | __GFP_MOVABLE;
export const GFP_MOVABLE_MASK = __GFP_RECLAIMABLE | __GFP_MOVABLE;
export const GFP_ATOMIC = __GFP_HIGH | __GFP_KSWAPD_RECLAIM;
export const GFP_KERNEL = __GFP_RECLAIM | __GFP_IO | __GFP_FS;
export const GFP_NOWAIT = __GFP_KSWAPD_RECLAIM | __GFP_NOWARN;
export const GFP_NOIO = __GFP_RECLAIM;
export const GFP_NOFS = __GFP_RECLAIM | __GFP_IO;
export const GFP_USER = __GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HARDWALL;
export const GFP_DMA = __GFP_DMA;
export const GFP_DMA32 = __GFP_DMA32;
export const GFP_HIGHUSER = GFP_USER | __GFP_HIGHMEM;
export const GFP_HIGHUSER_MOVABLE = GFP_HIGHUSER | __GFP_MOVABLE | __GFP_SKIP_KASAN;
export const GFP_TRANSHUGE_LIGHT =
  (GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_NOMEMALLOC | __GFP_NOWARN) & ~__GFP_RECLAIM;
export const GFP_TRANSHUGE = GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM;

/** include/linux/sched.h: task flags that scope allocations. @fidelity exact */
export const PF_MEMALLOC = 0x00000800;
export const PF_MEMALLOC_NOFS = 0x00040000;
export const PF_MEMALLOC_NOIO = 0x00080000;
export const PF_MEMALLOC_PIN = 0x10000000;

/** include/linux/gfp.h: gfp_zone(flags) via GFP_ZONE_TABLE, x86-64 (OPT_ZONE_HIGHMEM = NORMAL). @fidelity exact */
export function gfp_zone(flags: number): number {
  const z = flags & GFP_ZONEMASK;
  if ((z & __GFP_DMA) !== 0) return ZONE_DMA;
  if ((z & __GFP_DMA32) !== 0) return ZONE_DMA32;
  if ((z & (__GFP_MOVABLE | __GFP_HIGHMEM)) === (__GFP_MOVABLE | __GFP_HIGHMEM))
    return ZONE_MOVABLE;
  return ZONE_NORMAL;
}

/** include/linux/gfp.h: gfp_migratetype(gfp_flags). @fidelity exact */
export function gfp_migratetype(flags: number): number {
  const m = flags & GFP_MOVABLE_MASK;
  if (m === __GFP_MOVABLE) return MIGRATE_MOVABLE;
  if (m === __GFP_RECLAIMABLE) return MIGRATE_RECLAIMABLE;
  return MIGRATE_UNMOVABLE;
}

/** include/linux/sched/mm.h: current_gfp_context(flags), with current->flags passed in. @fidelity exact */
export function current_gfp_context(flags: number, pflags: number): number {
  if ((pflags & (PF_MEMALLOC_NOIO | PF_MEMALLOC_NOFS | PF_MEMALLOC_PIN)) === 0) return flags;
  let f = flags;
  if ((pflags & PF_MEMALLOC_NOIO) !== 0) f &= ~(__GFP_IO | __GFP_FS);
  else if ((pflags & PF_MEMALLOC_NOFS) !== 0) f &= ~__GFP_FS;
  if ((pflags & PF_MEMALLOC_PIN) !== 0) f &= ~__GFP_MOVABLE;
  return f;
}

/** The part of task_struct the scoped-allocation API touches (`current->flags`). */
export interface TaskAllocFlags {
  flags: number;
}

/** include/linux/sched/mm.h: memalloc_pin_save(): set PF_MEMALLOC_PIN, return the old bit. @fidelity exact */
export function memalloc_pin_save(current: TaskAllocFlags): number {
  const saved = current.flags & PF_MEMALLOC_PIN;
  current.flags |= PF_MEMALLOC_PIN;
  return saved;
}

/** include/linux/sched/mm.h: memalloc_pin_restore(flags). @fidelity exact */
export function memalloc_pin_restore(current: TaskAllocFlags, saved: number): void {
  current.flags = (current.flags & ~PF_MEMALLOC_PIN) | saved;
}
