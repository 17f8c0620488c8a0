/**
 * KVM: KVM_CREATE_VM (with the reproducer's guest code in a memslot of its own),
 * KVM_SET_USER_MEMORY_REGION, and a guest load or store as KVM_RUN of the thread's vCPU until
 * the guest's OUT (prelude/kvm.ts). A guest access to a memslot whose memory is registered with
 * userfaultfd waits in KVM_RUN until the handler resolves the fault, like a user access: the
 * plan lets it start before the handler's blocking uffd_read. An access KVM hands to user space
 * (KVM_EXIT_MMIO) is answered as the model's VMM answers it (a load: `mmio_value`), and its
 * first exit is bound in the fields of kvm_fields.ts, as the model binds it.
 */
import { kvmMemTable } from '../../../kernel/include/kvm.js';
import { argsOf, type BindingRef, type ScenarioSpec, type Step } from '../../../scenario/index.js';
import {
  kvm_create_vm,
  kvm_guest_read,
  kvm_guest_write,
  kvm_set_user_memory_region,
} from '../../../scenario/ops/index.js';
import { actingProcess } from '../order.js';
import { KVM_CODE_GPA, KVM_CODE_SLOT, KVM_GUEST_LIMIT } from '../prelude/kvm.js';
import { bindLines, cAddr, cByte, type Emitter, type StepCx } from './context.js';
import { KVM_FIELDS } from './kvm_fields.js';

const PAGE = 4096;

function vmOf(cx: StepCx, vm: BindingRef): { v: string; b: string } {
  cx.need('kvm');
  const b = cx.slot(vm.name);
  return { v: `&vms[${b}]`, b };
}

function hex(n: number): string {
  return `0x${n.toString(16)}ULL`;
}

/** The access's MMIO exit into the bound name's fields (KVM_FIELDS), after its binding. */
function mmioLines(cx: StepCx): string[] {
  if (cx.bound === undefined) return ['(void)mmio;'];
  return Object.entries(KVM_FIELDS).map(
    ([name, i]) => `S->b[${cx.bound}].field[${i}] = mmio[${i}]; /* .${name} */`,
  );
}

export const kvmEmitters: Readonly<Record<string, Emitter>> = {
  kvm_create_vm(cx) {
    const a = argsOf(cx.step, kvm_create_vm);
    cx.need('kvm');
    const v = cx.bound === undefined ? '&anonymous_vm' : `&vms[${cx.bound}]`;
    const declare = cx.bound === undefined ? ['static struct kvm_vm anonymous_vm;'] : [];
    const why = a.async_pf
      ? '/* async_pf: an in-kernel irqchip and IF=1, so kvm_can_do_async_pf() may say yes */'
      : '/* async_pf false: no in-kernel irqchip, so kvm_can_do_async_pf() says no */';
    return [
      ...declare,
      why,
      `int64_t r = kvm_create(${v}, ${a.async_pf ? 1 : 0});`,
      ...bindLines(cx, `(${v})->fd`, 'r'),
    ];
  },
  kvm_set_user_memory_region(cx) {
    const a = argsOf(cx.step, kvm_set_user_memory_region);
    const { v } = vmOf(cx, a.vm);
    const flags = a.flags === undefined ? '0' : cx.defs.flags(a.flags, kvmMemTable);
    return [
      'struct kvm_userspace_memory_region region;',
      '',
      'memset(&region, 0, sizeof(region));',
      `region.slot = ${a.slot}U;`,
      `region.flags = ${flags};`,
      `region.guest_phys_addr = ${hex(a.guest_phys_addr)};`,
      `region.memory_size = ${hex(a.memory_size)};`,
      `region.userspace_addr = (uint64_t)(uintptr_t)${cAddr(cx, a.userspace_addr)};`,
      `int64_t r = sys(ioctl((${v})->fd, KVM_SET_USER_MEMORY_REGION, &region));`,
      `kvm_note_slot(${v}, &region, r);`,
      ...bindLines(cx, 'r', 'r'),
    ];
  },
  kvm_guest_write(cx) {
    const a = argsOf(cx.step, kvm_guest_write);
    const { v, b } = vmOf(cx, a.vm);
    return [
      '/* a guest store of the whole page (rep stosb): EPT violation -> hva_to_pfn */',
      'int64_t loaded = 0, mmio[4];',
      `int64_t r = kvm_access(${v}, ${b}, ${hex(a.gpa)}, 1, ${cByte(a.value)}, &loaded, mmio);`,
      '(void)loaded;',
      ...bindLines(cx, 'r', 'r'),
      ...mmioLines(cx),
    ];
  },
  kvm_guest_read(cx) {
    const a = argsOf(cx.step, kvm_guest_read);
    const { v, b } = vmOf(cx, a.vm);
    return [
      '/* a guest load of the page (mov, then repe scasb): EPT violation -> hva_to_pfn;',
      '   a KVM_EXIT_MMIO is answered with mmio_value, as the VMM of the model answers it */',
      'int64_t loaded = 0, mmio[4];',
      `int64_t r = kvm_access(${v}, ${b}, ${hex(a.gpa)}, 0, ${cByte(a.mmio_value)}, &loaded, mmio);`,
      ...bindLines(cx, 'r < 0 ? r : loaded', 'r'),
      ...mmioLines(cx),
    ];
  },
};

/** The process of the step that made `vm`, and of the step that uses it. */
function sameProcess(spec: ScenarioSpec, step: Step): string | undefined {
  const vm = step.args['vm'] as BindingRef | undefined;
  if (vm === undefined) return undefined;
  let made: Step | undefined;
  const walk = (steps: readonly Step[]): void => {
    for (const s of steps) {
      if (s.as?.name === vm.name) made = s;
      if (s.op === 'repeat') walk(s.args['steps'] as readonly Step[]);
    }
  };
  for (const t of spec.threads) walk(t.steps);
  if (made === undefined) return undefined;
  const owner = actingProcess(spec, made);
  const user = actingProcess(spec, step);
  if (owner === user) return undefined;
  return `the VM '${vm.name}' belongs to process '${owner}' and the step acts in '${user}': KVM ioctls from another mm fail (-EIO), and the host program holds the VM's descriptor only where it made it`;
}

function guestAccess(spec: ScenarioSpec, step: Step): string | undefined {
  const gpa = step.args['gpa'] as number;
  const page = gpa - (gpa % PAGE);
  if (page + PAGE > KVM_GUEST_LIMIT)
    return `the reproducer's guest runs in 32-bit protected mode without paging: it reaches guest-physical addresses below 4GiB, not 0x${gpa.toString(16)}`;
  if (page === KVM_CODE_GPA)
    return `guest-physical 0x${KVM_CODE_GPA.toString(16)} holds the reproducer's guest code`;
  return sameProcess(spec, step);
}

/**
 * Why a KVM step has no exact door in this reproducer, or undefined: its guest code needs a
 * memslot id and a guest-physical page of its own, and reaches only 32-bit addresses.
 */
export const KVM_CHECKS: Readonly<
  Record<string, (spec: ScenarioSpec, step: Step) => string | undefined>
> = {
  kvm_set_user_memory_region(spec, step) {
    const slot = step.args['slot'] as number;
    const gpa = step.args['guest_phys_addr'] as number;
    const size = step.args['memory_size'] as number;
    if (slot % 65536 === KVM_CODE_SLOT)
      return `slot ${KVM_CODE_SLOT} holds the reproducer's guest code`;
    if (slot >= 65536)
      return `address space ${Math.floor(slot / 65536)} is SMM's on x86 hosts (CONFIG_KVM_SMM), which the model leaves out (it answers -EINVAL)`;
    if (size > 0 && gpa < KVM_CODE_GPA + PAGE && KVM_CODE_GPA < gpa + size)
      return `[0x${gpa.toString(16)}, +${size}) covers guest-physical 0x${KVM_CODE_GPA.toString(16)}, the reproducer's guest code page`;
    return sameProcess(spec, step);
  },
  kvm_guest_write: guestAccess,
  kvm_guest_read: guestAccess,
};
