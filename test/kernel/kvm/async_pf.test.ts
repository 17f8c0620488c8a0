// Async page faults and the FOLL_NOWAIT attempt (arch/x86/kvm/mmu/mmu.c: __kvm_mmu_faultin_pfn;
// virt/kvm/kvm_main.c: hva_to_pfn -> KVM_PFN_ERR_NEEDS_IO; virt/kvm/async_pf.c:
// kvm_setup_async_pf, async_pf_execute), on file-backed guest memory whose page must be read.
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../src/sim/machine.js';
import { run, scenario } from '../../scenario/interp/helpers.js';

function guestRead(asyncPf: boolean): string {
  return [
    'scenario: t',
    'files:',
    '  guest.img: { fs: ext4, size: 4KiB, fill: 0x5a }',
    'processes: [vmm]',
    'threads:',
    '  vcpu:',
    '    steps:',
    '      - open: { as: f, path: guest.img, flags: [O_RDWR] }',
    '      - mmap: { as: mem, length: 4KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_SHARED], file: f }',
    `      - kvm_create_vm: { as: vm, async_pf: ${asyncPf} }`,
    '      - kvm_set_user_memory_region: { vm: vm, slot: 0, guest_phys_addr: 0, memory_size: 4KiB, userspace_addr: mem }',
    '      - kvm_guest_read: { as: v, vm: vm, gpa: 0 }',
    '      - expect: { value: v, equals: 0x5a }',
    '',
  ].join('\n');
}

function events(r: RunResult, kind: string, thread?: string): Record<string, unknown>[] {
  const names = new Map(
    r.trace
      .filter((e) => e.kind === 'sched.start')
      .map((e) => [e.thread, (e.args as { name: string }).name]),
  );
  return r.trace
    .filter((e) => e.kind === kind && (thread === undefined || names.get(e.thread) === thread))
    .map((e) => e.args as Record<string, unknown>);
}

describe('async page faults', () => {
  it('the FOLL_NOWAIT attempt returns at once with mmap_lock held and KVM goes async (NEEDS_IO)', () => {
    const r = run(scenario(guestRead(true)));
    expect(r.verdict.reasons).toEqual([]);
    const first = events(r.result, 'gup.fault', 'vcpu')[0]!;
    expect(first['fault_flags']).toContain('FAULT_FLAG_RETRY_NOWAIT');
    expect(first['result']).toContain('VM_FAULT_RETRY');
    expect(events(r.result, 'gup.retry', 'vcpu')).toEqual([]); // the vCPU never dropped the lock
    expect(events(r.result, 'kvm.hva-to-pfn')[0]!['result']).toBe('KVM_PFN_ERR_NEEDS_IO');
    const phases = events(r.result, 'kvm.async-pf').map((a) => a['phase']);
    expect(phases).toEqual(['queued', 'done', 'consumed']);
    expect(r.report.results['v.async_pf']).toBe(1);
  });

  it('the worker faults the page in with get_user_pages_remote(&locked) and keeps no page', () => {
    const r = run(scenario(guestRead(true)));
    const calls = events(r.result, 'gup.call').filter((a) => a['api'] === 'get_user_pages_remote');
    expect(calls).toHaveLength(1);
    expect(calls[0]!['locked']).toBe(1);
    expect(r.result.violations.map((v) => v.id)).toEqual([]); // no reference leaked
  });

  it('without async PF the vCPU retries without FOLL_NOWAIT, with FOLL_INTERRUPTIBLE', () => {
    const r = run(scenario(guestRead(false)));
    expect(r.verdict.reasons).toEqual([]);
    const calls = events(r.result, 'gup.call', 'vcpu').filter(
      (a) => a['api'] === 'get_user_pages_unlocked',
    );
    expect(calls.map((a) => String(a['flags']).includes('FOLL_NOWAIT'))).toEqual([true, false]);
    expect(String(calls[1]!['flags'])).toContain('FOLL_INTERRUPTIBLE');
    expect(events(r.result, 'kvm.async-pf')).toEqual([]);
    expect(r.report.results['v.async_pf']).toBe(0);
  });
});
