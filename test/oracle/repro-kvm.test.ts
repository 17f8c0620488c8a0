/**
 * gupsim repro: the doors of the KVM steps. KVM_CREATE_VM with a private guest-code memslot,
 * KVM_SET_USER_MEMORY_REGION, and a guest load or store as one KVM_RUN of the thread's vCPU
 * (arch/x86/kvm/mmu/mmu.c: kvm_tdp_page_fault -> virt/kvm/kvm_main.c: hva_to_pfn on hardware
 * virtualization). A guest access to a userfaultfd-registered slot waits inside KVM_RUN until
 * UFFDIO_COPY; an access KVM emulates and hands to user space (KVM_EXIT_MMIO: arch/x86/kvm/x86.c
 * emulator_read_write) is answered as the model's VMM answers it and its exit is bound in the
 * same fields. Steps the private guest code cannot share are refused by name; kvm_vcpu_map has
 * no user door.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/cli/catalogue.js';
import { runInGupsim } from '../../src/cli/oracle/gupsim.js';
import { runOracle } from '../../src/cli/oracle/run.js';
import { generateRepro, ReproRefused, type Repro } from '../../src/cli/repro/index.js';
import { buildAndRun, need, spec } from './helpers.js';

const HEAD = `processes: [vmm]
threads:
  vmm:
    steps:
      - mmap: { as: mem, length: 4KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_PRIVATE, MAP_ANONYMOUS] }
`;

const VM = `${HEAD}      - kvm_create_vm: { as: vm, async_pf: false }
      - kvm_set_user_memory_region: { as: region, vm: vm, slot: 0, guest_phys_addr: 0x10000, memory_size: 4KiB, userspace_addr: mem }
`;

/** A store and a load through the guest, and a load of a gpa no memslot covers (MMIO). */
const ROUND_TRIP = `scenario: kvm-round-trip
${VM}      - kvm_guest_write: { as: w, vm: vm, gpa: 0x10000, value: 0x42 }
      - kvm_guest_read: { as: v, vm: vm, gpa: 0x10000 }
      - expect: { value: v, equals: 0x42 }
      - expect: { memory: mem, length: 4KiB, contents: 0x42 }
      - kvm_guest_read: { as: none, vm: vm, gpa: 0x20000, mmio_value: 0x7f }
      - expect: { value: none.ret, equals: 0 }
      - expect: { value: none.exit_reason, equals: 6 }
      - expect: { value: none.mmio_phys_addr, equals: 0x20000 }
      - expect: { value: none, equals: 0x7f }
`;

function refusals(text: string): string[] {
  try {
    generateRepro(spec(text));
  } catch (e) {
    if (e instanceof ReproRefused) return e.refusals.map((r) => `${r.what}: ${r.reason}`);
    throw e;
  }
  return [];
}

function readScenario(name: string): string {
  return readFileSync(join(PACKAGE_ROOT, 'scenarios', name), 'utf8');
}

function fromGupsim(text: string): Repro {
  const s = spec(text);
  const g = runInGupsim(s, text);
  if ('unavailable' in g) throw new Error(`gupsim cannot run it: ${g.unavailable}`);
  if ('problem' in g.order) throw new Error(g.order.problem);
  return generateRepro(s, { order: g.order });
}

describe('KVM doors', () => {
  it('are KVM_CREATE_VM with the guest code in a memslot of its own, then the ioctls of the steps', () => {
    const r = generateRepro(spec(ROUND_TRIP));
    expect(r.needs.kvm).toBe(true);
    expect(r.source).toContain('kvm_ready();');
    expect(r.source).toContain('int64_t r = kvm_create(&vms[B_vm], 0);');
    expect(r.source).toContain('#define KVM_CODE_SLOT 32763');
    expect(r.source).toContain('#define KVM_CODE_GPA 0xc0000000UL');
    expect(r.source).toContain('region.guest_phys_addr = 0x10000ULL;');
    expect(r.source).toContain('region.userspace_addr = (uint64_t)(uintptr_t)ADDR(B_mem, 0);');
    expect(r.source).toContain('KVM_SET_USER_MEMORY_REGION, &region');
    expect(r.source).toContain('kvm_note_slot(&vms[B_vm], &region, r);');
    expect(r.source).toContain('kvm_access(&vms[B_vm], B_vm, 0x10000ULL, 1, 0x42, &loaded, mmio);');
    // a load binds the page's value (or the VMM's MMIO answer), or KVM_RUN's errno
    expect(r.source).toContain('bind(B_v, r < 0 ? r : loaded, r);');
    expect(r.source).toContain('kvm_access(&vms[B_vm], B_vm, 0x20000ULL, 0, 0x7f, &loaded, mmio);');
    // the first KVM_EXIT_MMIO of the access goes to the fields the model binds
    expect(r.source).toContain('S->b[B_none].field[0] = mmio[0]; /* .exit_reason */');
    expect(r.source).toContain('S->b[B_none].field[1] = mmio[1]; /* .mmio_phys_addr */');
  });

  it('make an in-kernel irqchip when the VM may take async page faults (kvm_can_do_async_pf)', () => {
    const text = `scenario: t\n${HEAD}      - kvm_create_vm: { as: vm }\n`;
    expect(generateRepro(spec(text)).source).toContain('kvm_create(&vms[B_vm], 1);');
  });

  it('start a guest load on a userfaultfd-registered slot before the handler reads the uffd', () => {
    // the model's own trace says when the load started
    const r = fromGupsim(readScenario('kvm-oracle-uffd-retry.yaml'));
    const load = r.plan.steps.find((p) => p.inst.step.op === 'kvm_guest_read')!;
    const read = r.plan.steps.find((p) => p.inst.step.op === 'uffd_read')!;
    expect(load.startTurn).toBeDefined();
    expect(load.startTurn).toBeLessThanOrEqual(read.turn);
    expect(load.turn).toBeGreaterThan(read.turn);
    expect(r.source).toContain(`turn_reach(${load.startTurn});`);
  });
});

describe('KVM steps the reproducer cannot do exactly are refused by name', () => {
  const cases: [string, string, RegExp][] = [
    [
      'the guest code slot',
      `${VM}      - kvm_set_user_memory_region: { vm: vm, slot: 32763, guest_phys_addr: 0, memory_size: 4KiB, userspace_addr: mem }\n`,
      /slot 32763 holds the reproducer's guest code/,
    ],
    [
      'a slot over the guest code page',
      `${VM}      - kvm_set_user_memory_region: { vm: vm, slot: 1, guest_phys_addr: 0xbffff000, memory_size: 8KiB, userspace_addr: mem }\n`,
      /covers guest-physical 0xc0000000/,
    ],
    [
      'address space 1 (SMM)',
      `${VM}      - kvm_set_user_memory_region: { vm: vm, slot: 65536, guest_phys_addr: 0, memory_size: 4KiB, userspace_addr: mem }\n`,
      /SMM's on x86 hosts/,
    ],
    [
      'a guest access above 4GiB',
      `${VM}      - kvm_guest_read: { vm: vm, gpa: 0x100000000 }\n`,
      /below 4GiB/,
    ],
    [
      'the access fields',
      `${VM}      - kvm_guest_read: { as: v, vm: vm, gpa: 0x10000 }\n      - expect: { value: v.faults, equals: 1 }\n`,
      /'v.faults' is an output of kvm_guest_read the reproducer does not keep/,
    ],
    [
      'kvm_vcpu_map',
      `${VM}      - kvm_vcpu_map: { as: map, vm: vm, gpa: 0x10000 }\n`,
      /kvm_vcpu_map is called by KVM itself/,
    ],
  ];
  for (const [name, steps, reason] of cases) {
    it(name, () => {
      const r = refusals(`scenario: t\n${steps}`);
      expect(r.length, r.join('\n')).toBeGreaterThan(0);
      expect(r[0]).toMatch(reason);
    });
  }

  it('a VM used from another process', () => {
    const text = `scenario: t
processes: [vmm, other]
threads:
  vmm:
    steps:
      - kvm_create_vm: { as: vm }
      - signal: made
  guest:
    process: other
    steps:
      - wait: made
      - kvm_guest_read: { vm: vm, gpa: 0 }
`;
    expect(refusals(text)[0]).toMatch(/belongs to process 'vmm' and the step acts in 'other'/);
  });
});

describe('on the host', () => {
  // The program skips, saying why, where /dev/kvm cannot be used; it must build everywhere.
  it('builds with -Wall -Werror; a guest store, load and MMIO exit as the model binds them', async (ctx) => {
    need(ctx);
    const run = await buildAndRun(fromGupsim(ROUND_TRIP), {}, 'kvm');
    expect(run.end, run.transcript).not.toBe('unbuilt');
    if (run.end === 'skipped') return ctx.skip(run.summary);
    expect(run.end, run.transcript).toBe('passed');
    expect(run.expectations.map((t) => t.message)).toEqual([
      'v == 0x42',
      'memory mem (4KiB) holds 0x42',
      'none.ret == 0',
      'none.exit_reason == 6',
      'none.mmio_phys_addr == 0x20000',
      'none == 0x7f',
    ]);
    expect(run.bound).toMatchObject({ w: 0, 'w.ret': 0, v: 0x42, 'v.ret': 0, none: 0x7f });
    expect(run.transcript).toContain('KVM_EXIT_MMIO, a load of 1 bytes at gpa 0x20000');
    expect(run.transcript).toContain('each answered with 0x7f');
  });

  // kvm_handle_error_pfn: mainline with EPT/NPT fails KVM_RUN; a KVM that emulates guest
  // instructions (PVM) exits as MMIO instead, and the program says so next to the mismatch.
  it('a slot over unmapped memory: -EFAULT, or an MMIO exit the transcript names as the host caveat', async (ctx) => {
    need(ctx);
    const text = `scenario: kvm-unmapped
${VM}      - expect: { value: region, equals: 0 }
      - munmap: { addr: mem, length: 4KiB }
      - kvm_guest_read: { as: gone, vm: vm, gpa: 0x10000 }
`;
    const run = await buildAndRun(fromGupsim(text), {}, 'kvm');
    expect(run.end, run.transcript).not.toBe('unbuilt');
    if (run.end === 'skipped') return ctx.skip(run.summary);
    expect(run.end, run.transcript).toBe('passed');
    if (run.bound['gone.ret'] === 0)
      expect(run.transcript).toContain(
        "memslot 0 covers gpa 0x10000: this host's KVM emulated an access to slot memory",
      );
    else expect(run.bound['gone']).toBe(-14);
  });

  // The two catalogue scenarios: gupsim and the host agree (or the host cannot run KVM).
  it('kvm-oracle-*: gupsim agrees with the host, the guest load waiting for UFFDIO_COPY', async (ctx) => {
    need(ctx);
    const files = ['kvm-oracle-uffd-retry.yaml', 'kvm-oracle-memslot-errors.yaml'].map((f) =>
      join(PACKAGE_ROOT, 'scenarios', f),
    );
    const outcomes = await runOracle({ files, known: [], timeoutMs: 60_000 });
    const skipped = outcomes.filter((o) => o.verdict === 'skip');
    for (const o of outcomes)
      expect(['agree', 'skip'], `${o.id}: ${o.reason ?? ''} ${o.transcript ?? ''}`).toContain(
        o.verdict,
      );
    ctx.skip(skipped.length > 0, skipped.map((o) => `${o.id}: ${o.reason}`).join('; '));
  });
});
