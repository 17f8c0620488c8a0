// KVM memslots (virt/kvm/kvm_main.c: __kvm_set_memory_region, kvm_set_memslot): the argument
// rules of KVM_SET_USER_MEMORY_REGION and what deleting a slot does to the secondary MMU.
import { describe, expect, it } from 'vitest';
import { run, scenario } from '../../scenario/interp/helpers.js';

function vmm(...lines: string[]): string {
  return [
    'scenario: t',
    'processes: [vmm]',
    'threads:',
    '  vcpu:',
    '    steps:',
    '      - mmap: { as: mem, length: 16KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_PRIVATE, MAP_ANONYMOUS] }',
    '      - kvm_create_vm: { as: vm }',
    ...lines.map((l) => `      - ${l}`),
    '',
  ].join('\n');
}

function region(as: string, slot: number, gpa: string, size: string, hva: string): string {
  return `kvm_set_user_memory_region: { as: ${as}, vm: vm, slot: ${slot}, guest_phys_addr: ${gpa}, memory_size: ${size}, userspace_addr: ${hva} }`;
}

function results(text: string): Record<string, unknown> {
  const r = run(scenario(text));
  expect(r.verdict.reasons).toEqual([]);
  return r.report.results;
}

describe('KVM_SET_USER_MEMORY_REGION', () => {
  it('an unaligned guest_phys_addr, memory_size or userspace_addr is -EINVAL (__kvm_set_memory_region)', () => {
    const res = results(
      vmm(
        region('a', 0, '0x800', '4KiB', 'mem'),
        region('b', 0, '0', '2KiB', 'mem'),
        region('c', 0, '0', '4KiB', 'mem+0x10'),
      ),
    );
    expect([res['a'], res['b'], res['c']]).toEqual([-22, -22, -22]);
  });

  it('a slot id past KVM_USER_MEM_SLOTS or in another address space is -EINVAL', () => {
    const res = results(
      vmm(region('a', 32764, '0', '4KiB', 'mem'), region('b', 65536, '0', '4KiB', 'mem')),
    );
    expect([res['a'], res['b']]).toEqual([-22, -22]);
  });

  it('a slot overlapping another in guest physical space is -EEXIST (kvm_check_memslot_overlap)', () => {
    const res = results(
      vmm(region('a', 0, '0', '8KiB', 'mem'), region('b', 1, '4KiB', '8KiB', 'mem+8KiB')),
    );
    expect([res['a'], res['b']]).toEqual([0, -17]);
  });

  it('changing the size or address of a live slot is -EINVAL; the same region again is 0', () => {
    const res = results(
      vmm(
        region('a', 0, '0', '8KiB', 'mem'),
        region('b', 0, '0', '4KiB', 'mem'),
        region('c', 0, '0', '8KiB', 'mem+4KiB'),
        region('d', 0, '0', '8KiB', 'mem'),
      ),
    );
    expect([res['a'], res['b'], res['c'], res['d']]).toEqual([0, -22, -22, 0]);
  });

  it('deleting an empty slot is -EINVAL; deleting a live one zaps its sptes (kvm_arch_flush_shadow_memslot)', () => {
    const res = results(
      vmm(
        region('none', 3, '0', '0', 'mem'),
        region('a', 0, '0', '4KiB', 'mem'),
        'kvm_guest_write: { as: w, vm: vm, gpa: 0, value: 0x42 }',
        region('del', 0, '0', '0', 'mem'),
        'kvm_guest_read: { as: gone, vm: vm, gpa: 0 }',
      ),
    );
    expect(res['none']).toBe(-22);
    expect(res['w']).toBe(0);
    expect(res['del']).toBe(0);
    // no slot: KVM emulates the load and exits to user space (KVM_RUN 0, KVM_EXIT_MMIO)
    expect([res['gone'], res['gone.exit_reason']]).toEqual([0, 6]);
  });

  it('moving a slot (new guest_phys_addr) keeps the host memory behind the new gfns', () => {
    const res = results(
      vmm(
        region('a', 0, '0', '4KiB', 'mem'),
        'kvm_guest_write: { vm: vm, gpa: 0, value: 0x42 }',
        region('mv', 0, '64KiB', '4KiB', 'mem'),
        'kvm_guest_read: { as: moved, vm: vm, gpa: 64KiB }',
      ),
    );
    expect(res['mv']).toBe(0);
    expect(res['moved']).toBe(0x42);
  });
});
