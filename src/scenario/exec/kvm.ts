/**
 * Executors of the KVM operations (src/kernel/virt/kvm, src/kernel/arch/x86/kvm). Every KVM
 * ioctl acts on current->mm, so a KVM step may not name another process (`process:`). A VM name
 * is bound to the VM itself (an fd-kind name: `.ret` is 0, the model allocates no descriptor).
 * kvm_vcpu_map binds a pages array with its one pinned page, so `kernel_write: { pages: map }`
 * writes through the kernel mapping; kvm_vcpu_unmap takes it back. A guest access that exits as
 * KVM_EXIT_MMIO binds `.ret` 0 and the run->mmio fields; a load binds the VMM's answer.
 */
import { kvm_guest_access, type GuestAccess } from '../../kernel/arch/x86/kvm/x86.js';
import { gupState } from '../../kernel/mm/gup_state.js';
import { kvm, type kvm_host_map } from '../../kernel/virt/kvm/kvm_host.js';
import { kvm_create_vm, kvm_set_memory_region } from '../../kernel/virt/kvm/kvm_main.js';
import { __kvm_vcpu_map, kvm_vcpu_unmap } from '../../kernel/virt/kvm/kvm_pfn.js';
import type { Sched } from '../../sim/thread.js';
import * as ops from '../ops/kvm.js';
import type { BindingRef } from '../spec.js';
import {
  defineExecutor,
  type ExecContext,
  type ExecutorEntry,
  type PagesBinding,
} from './types.js';

/** The start reads only the step's names and the running thread's own state. */
const NARROW = { narrowStart: true };

/** The kvm_host_map behind each pages array bound by kvm_vcpu_map. */
const maps = new WeakMap<PagesBinding, { vm: kvm; map: kvm_host_map }>();

function ownProcess(ctx: ExecContext, op: string): void {
  if (ctx.process.mm !== ctx.task.mm)
    ctx.inputError(`${op} is an ioctl on current->mm; it cannot act in another process`);
}

function vmOf(ctx: ExecContext, ref: BindingRef): kvm {
  const v = ctx.lookup(ref);
  if (!(v instanceof kvm))
    ctx.inputError(`'${ref.name}' is not a VM (bind one with kvm_create_vm)`);
  return v;
}

/** Run `body` with GUP's leak reports pointing at this step. */
function* withWhere<T>(ctx: ExecContext, body: Sched<T>): Sched<T> {
  const s = gupState(ctx.k);
  s.where = `${ctx.threadName} at ${ctx.where}`;
  const r = yield* body;
  s.where = null;
  return r;
}

const createVm = defineExecutor(ops.kvm_create_vm, function* (ctx, args) {
  ownProcess(ctx, 'kvm_create_vm');
  const vm = yield* kvm_create_vm(ctx.k, ctx.task.mm!);
  vm.async_pf_enabled = args.async_pf;
  return { primary: vm, ret: 0 };
});

const setRegion = defineExecutor(ops.kvm_set_user_memory_region, function* (ctx, args) {
  ownProcess(ctx, 'kvm_set_user_memory_region');
  const ret = yield* kvm_set_memory_region(vmOf(ctx, args.vm), {
    slot: args.slot,
    flags: args.flags?.value ?? 0,
    guest_phys_addr: args.guest_phys_addr,
    memory_size: args.memory_size,
    userspace_addr: ctx.addr(args.userspace_addr),
  });
  return { primary: ret, ret };
});

/** The fields of a guest access: its faults and its MMIO exit (kvm_run->mmio), if any. */
function accessFields(r: GuestAccess): Record<string, number> {
  return {
    async_pf: r.async_pf,
    faults: r.faults,
    exit_reason: r.exit_reason,
    mmio_phys_addr: r.mmio?.phys_addr ?? 0,
    mmio_is_write: r.mmio?.is_write === true ? 1 : 0,
    mmio_data: r.mmio?.data ?? 0,
  };
}

const guestWrite = defineExecutor(
  ops.kvm_guest_write,
  function* (ctx, args) {
    ownProcess(ctx, 'kvm_guest_write');
    const vm = vmOf(ctx, args.vm);
    const r = yield* withWhere(ctx, kvm_guest_access(ctx.k, vm, args.gpa, true, args.value));
    return { primary: r.ret, ret: r.ret, fields: accessFields(r) };
  },
  NARROW,
);

const guestRead = defineExecutor(
  ops.kvm_guest_read,
  function* (ctx, args) {
    ownProcess(ctx, 'kvm_guest_read');
    const vm = vmOf(ctx, args.vm);
    const access = kvm_guest_access(ctx.k, vm, args.gpa, false, args.mmio_value);
    const r = yield* withWhere(ctx, access);
    return { primary: r.ret < 0 ? r.ret : r.value, ret: r.ret, fields: accessFields(r) };
  },
  NARROW,
);

const vcpuMap = defineExecutor(
  ops.kvm_vcpu_map,
  function* (ctx, args) {
    ownProcess(ctx, 'kvm_vcpu_map');
    const vm = vmOf(ctx, args.vm);
    const map: kvm_host_map = {
      pinned_page: -1,
      page: -1,
      pfn: -1,
      gfn: 0,
      writable: args.writable,
      mapped: false,
    };
    const gfn = Math.floor(args.gpa / 4096);
    const ret = yield* withWhere(ctx, __kvm_vcpu_map(vm, gfn, map, args.writable));
    const where = `${ctx.threadName} at ${ctx.where}`;
    const pfns = ret === 0 && map.pinned_page >= 0 ? [map.pinned_page] : [];
    const binding: PagesBinding = { pfns, kind: 'pin', tgid: ctx.process.tgid, where };
    if (ret === 0) maps.set(binding, { vm, map });
    return { primary: binding, ret };
  },
  NARROW,
);

const vcpuUnmap = defineExecutor(ops.kvm_vcpu_unmap, function* (ctx, args) {
  const binding = ctx.lookup(args.map) as PagesBinding;
  const entry = maps.get(binding);
  if (entry === undefined)
    return ctx.inputError(`'${args.map.name}' is not a successful kvm_vcpu_map mapping`);
  if (!entry.map.mapped) ctx.inputError(`'${args.map.name}' is already unmapped`);
  yield ctx.m.point('kvm_vcpu_unmap');
  kvm_vcpu_unmap(entry.vm, entry.map);
  return { primary: 0, ret: 0 };
});

export const kvmExecutors: readonly ExecutorEntry[] = [
  createVm,
  setRegion,
  guestWrite,
  guestRead,
  vcpuMap,
  vcpuUnmap,
];
