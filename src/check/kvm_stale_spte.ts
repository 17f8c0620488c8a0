/**
 * kvm.stale-spte: a guest access goes through a secondary-MMU entry (spte) that maps a page the
 * primary page tables no longer map at the memslot's address, or maps it writable while the
 * primary entry is read-only (a zap, COW or fork write-protect that did not reach KVM). The
 * rule: every such change is bracketed by mmu_notifier_invalidate_range_start/_end, and
 * kvm_mmu_notifier_invalidate_range_start zaps the sptes of the range before the primary
 * changes; a fault that raced with it retries (mmu_invalidate_retry_gfn).
 */
import { pte_lookup, pte_write } from '../mm/index.js';
import type { Kernel } from '../kernel/kernel.js';
import { kvmState, type kvm, type kvm_spte } from '../kernel/virt/kvm/kvm_host.js';
import { __gfn_to_hva_many, gfn_to_memslot } from '../kernel/virt/kvm/kvm_main.js';
import type { Checker } from './types.js';
import { mappedAt, once, report } from './util.js';

export const kvmStaleSpte: Checker = {
  id: 'kvm.stale-spte',
  description:
    'A guest access uses an spte whose page (or write permission) the primary MMU no longer gives.',
  kernelRef:
    'virt/kvm/kvm_main.c: kvm_mmu_notifier_invalidate_range_start (zap the sptes before the primary changes)',
  alwaysOn: true,
  install(k: Kernel) {
    once(k, kvmStaleSpte, () => kvmState(k).guestAccessObservers.push(check));
  },
};

function primaryWritable(k: Kernel, vm: kvm, hva: number): boolean {
  const ptep = pte_lookup(k.pool, vm.mm, Math.floor(hva / 4096));
  return ptep < 0 || pte_write(k.pool.entries[ptep]!);
}

function check(vm: kvm, gfn: number, spte: kvm_spte, write: boolean): void {
  const k = vm.k;
  const hva = __gfn_to_hva_many(gfn_to_memslot(vm, gfn), gfn, false);
  const pfn = hva < 0 ? -1 : mappedAt(k, vm.mm, hva);
  const access = write ? 'store' : 'load';
  let why: string | null = null;
  if (pfn !== spte.pfn)
    why = `maps pfn ${spte.pfn}, but the host maps ${pfn < 0 ? 'nothing' : `pfn ${pfn}`} there`;
  else if (spte.writable && !primaryWritable(k, vm, hva))
    why = `is writable, but the host PTE of pfn ${pfn} is read-only`;
  if (why === null) return;
  report(
    k,
    kvmStaleSpte,
    `guest ${access} at gfn ${gfn}: the spte ${why} (hva 0x${hva.toString(16)})`,
    undefined,
    `${vm.id}:${gfn}:${spte.pfn}`,
  );
}
