/**
 * Which steps a reproducer refuses, and why: every operation without an exact door (doors.ts),
 * and the arguments that would take a door off the modelled path. A refusal names the step, its
 * place in the file and the reason; nothing is approximated silently.
 */
import { FOLL_LONGTERM, FOLL_WRITE } from '../../kernel/include/gup_flags.js';
import type {
  AddressExpr,
  Binding,
  BindingRef,
  ScenarioSpec,
  SourcePos,
  Step,
  ValueExpr,
} from '../../scenario/index.js';
import { DOORS } from './doors.js';
import { KVM_CHECKS } from './emit/kvm.js';
import { KVM_ACCESS_OPS, KVM_FIELDS } from './emit/kvm_fields.js';
import { UFFD_FIELDS } from './emit/uffd_fields.js';
import { isWriteAccess, O_ACCMODE_WRITES } from './flags.js';
import { stepLabel } from './order.js';

export interface Refusal {
  /** The step refused, or null for a scenario-wide reason (quirks, machine). */
  readonly step: Step | null;
  readonly pos: SourcePos;
  /** `main:4 pin_user_pages` or `kernel.quirks`. */
  readonly what: string;
  readonly reason: string;
}

const PAGE = 4096;
const IO_URING_FLAGS = FOLL_WRITE | FOLL_LONGTERM;
const ADDRESS_ARGS = ['addr', 'start', 'memory', 'local', 'remote', 'new_addr'];
const HANDLE_KINDS = new Set(['pages', 'pipe', 'buffers', 'process', 'fd']);

/** Is this a GUP step the io_uring door reproduces (pin_user_pages_fast, FOLL_WRITE|FOLL_LONGTERM)? */
export function isIoUringPin(step: Step): boolean {
  const flags = step.args['gup_flags'] as { value: number } | undefined;
  return step.op === 'pin_user_pages_fast' && flags?.value === IO_URING_FLAGS;
}

/** The step that binds `b`, found among every step of the scenario. */
export function bindingStep(spec: ScenarioSpec, b: Binding): Step | undefined {
  for (const s of allSteps(spec)) if (s.as?.name === b.name) return s;
  return undefined;
}

/** Every step, repeat bodies included, in file order. */
export function allSteps(spec: ScenarioSpec): Step[] {
  const out: Step[] = [];
  const walk = (steps: readonly Step[]): void => {
    for (const s of steps) {
      out.push(s);
      if (s.op === 'repeat') walk(s.args['steps'] as readonly Step[]);
    }
  };
  for (const t of spec.threads) walk(t.steps);
  return out;
}

function gupFlagsReason(step: Step): string {
  const flags = step.args['gup_flags'] as { value: number; names: readonly string[] };
  const shown = `[${flags.names.join(', ')}]`;
  if ((flags.value & FOLL_LONGTERM) === 0)
    return `no user-space door keeps a short-term pin (${shown}) across steps: O_DIRECT and process_vm_* pin and unpin inside one system call`;
  if ((flags.value & FOLL_WRITE) === 0)
    return `a R/O longterm pin (${shown}) comes from RDMA, vfio or iommufd, which need devices; io_uring always pins with FOLL_WRITE`;
  return `io_uring, the longterm door, passes exactly [FOLL_WRITE, FOLL_LONGTERM], not ${shown}`;
}

type Check = (spec: ScenarioSpec, step: Step) => string | undefined;

function pagesFromDoor(spec: ScenarioSpec, ref: BindingRef): string | undefined {
  const bound = bindingStep(spec, ref.binding);
  if (bound !== undefined && isIoUringPin(bound)) return undefined;
  return `its pages '${ref.name}' come from ${ref.binding.op ?? 'a step'} at line ${ref.binding.pos.line}, which has no door (only pin_user_pages_fast with [FOLL_WRITE, FOLL_LONGTERM] maps, to io_uring)`;
}

function pinPages(spec: ScenarioSpec, ref: BindingRef): number {
  const bound = bindingStep(spec, ref.binding);
  return (bound?.args['nr_pages'] as number | undefined) ?? 0;
}

function pageAligned(step: Step, addrArg: string, lengthArg: string): string | undefined {
  const addr = step.args[addrArg] as AddressExpr | undefined;
  const length = step.args[lengthArg] as number | undefined;
  const offset = addr?.kind === 'ref' ? addr.offset : 0;
  if (offset % PAGE === 0 && (length ?? 0) % PAGE === 0) return undefined;
  return 'the model keeps one value per 4 KiB page, so only whole, page-aligned pages have an exact counterpart';
}

function handleOperand(v: ValueExpr | undefined): string | undefined {
  if (v?.kind !== 'ref' || v.ref.field !== null || !HANDLE_KINDS.has(v.ref.binding.kind))
    return undefined;
  return `'${v.ref.name}' stands for the model's ${v.ref.binding.kind} object, which has no host value to compare`;
}

/** Why an expectation cannot read `NAME.FIELD`: only `.ret`, the userfaultfd and KVM MMIO fields are kept. */
function fieldReason(ref: BindingRef): string | undefined {
  const field = ref.field;
  if (field === null || field === 'ret') return undefined;
  if (UFFD_OPS.has(ref.binding.op ?? '') && UFFD_FIELDS[field] !== undefined) return undefined;
  if (KVM_ACCESS_OPS.has(ref.binding.op ?? '') && KVM_FIELDS[field] !== undefined) return undefined;
  if (field === 'locked') return "'.locked' comes from a remote GUP call, which has no door";
  return `'${ref.name}.${field}' is an output of ${ref.binding.op ?? 'a step'} the reproducer does not keep`;
}

const UFFD_OPS = new Set([
  'UFFDIO_REGISTER',
  'UFFDIO_COPY',
  'UFFDIO_ZEROPAGE',
  'UFFDIO_CONTINUE',
  'uffd_read',
]);

const CHECKS: Readonly<Record<string, Check>> = {
  ...KVM_CHECKS,
  madvise(_spec, step) {
    const advice = (step.args['advice'] as { name: string }).name;
    if (advice === 'MADV_HWPOISON' || advice === 'MADV_SOFT_OFFLINE')
      return `${advice} takes the page away from the whole host for good`;
    return undefined;
  },
  kill(spec, step) {
    if (step.args['thread'] !== undefined)
      return 'a signal to one thread: SIGKILL ends the whole thread group on Linux, and the host cannot deliver a signal inside a step';
    const signal = (step.args['signal'] as { name: string }).name;
    if (signal !== 'SIGKILL') return `only SIGKILL of a whole process maps, not ${signal}`;
    const own = spec.threads.find((t) => t.name === step.thread)?.process.name;
    if (step.process === null || step.process.name === own)
      return 'a thread killing its own process would never finish the step';
    return undefined;
  },
  memset: (_spec, step) => pageAligned(step, 'addr', 'length'),
  read: (_spec, step) => pageAligned(step, 'addr', 'length'),
  expect(spec, step) {
    if (step.args['memory'] !== undefined) return pageAligned(step, 'memory', 'length');
    const pages = step.args['pages'] as BindingRef | undefined;
    if (pages !== undefined) return pagesFromDoor(spec, pages);
    for (const v of [step.args['value'], step.args['equals']] as (ValueExpr | undefined)[]) {
      const why = v?.kind === 'ref' ? fieldReason(v.ref) : undefined;
      if (why !== undefined) return why;
    }
    return (
      handleOperand(step.args['value'] as ValueExpr) ??
      handleOperand(step.args['equals'] as ValueExpr)
    );
  },
  pin_user_pages_fast: (_spec, step) => (isIoUringPin(step) ? undefined : gupFlagsReason(step)),
  unpin_user_pages(spec, step) {
    const pages = step.args['pages'] as BindingRef;
    const npages = step.args['npages'] as number | undefined;
    if (npages !== undefined && npages !== pinPages(spec, pages))
      return `io_uring unpins a whole buffer; npages ${npages} is a part of it`;
    return pagesFromDoor(spec, pages);
  },
  unpin_user_page(spec, step) {
    const pages = step.args['pages'] as BindingRef;
    if (step.args['index'] !== undefined && pinPages(spec, pages) !== 1)
      return 'io_uring unpins a whole buffer, not one page of it by index';
    return pagesFromDoor(spec, pages);
  },
  unpin_user_pages_dirty_lock(spec, step) {
    if (step.args['make_dirty'] === true)
      return 'io_uring unpins without dirtying the pages (unpin_user_folio); no door unpins with make_dirty';
    return CHECKS['unpin_user_pages']?.(spec, step);
  },
  kernel_read: (spec, step) => pagesFromDoor(spec, step.args['pages'] as BindingRef),
  vmsplice(_spec, step) {
    if (step.path.length > 1 && step.as !== null)
      return 'a vmsplice in a repeat binds a new pipe each time; the reproducer makes each pipe once, before the processes start';
    return undefined;
  },
  open(spec, step) {
    const path = step.args['path'] as string;
    if (path.startsWith('/') || path.split('/').includes('..'))
      return `the path '${path}' leaves the scenario's directory`;
    const flags = step.args['flags'] as { value: number };
    const declared = spec.files.find((f) => f.path === path);
    if (declared?.mode === 'ro' && isWriteAccess(flags.value))
      return `'${path}' is declared ro and the step opens it for writing (${O_ACCMODE_WRITES}); root on the host bypasses file modes`;
    return undefined;
  },
};

function literalAddress(step: Step): string | undefined {
  for (const arg of ADDRESS_ARGS) {
    const a = step.args[arg] as AddressExpr | undefined;
    if (a?.kind === 'literal' && a.value !== 0)
      return `'${arg}: ${a.text}' is an address of the model's address space; the host lays out memory its own way (write it relative to a mapping: NAME+OFFSET)`;
  }
  return undefined;
}

/** Why this step cannot be reproduced exactly, or undefined. */
export function refusalOf(spec: ScenarioSpec, step: Step): string | undefined {
  const door = DOORS[step.op];
  if (door === undefined) return `no door is known for '${step.op}'`;
  if (door.maps === 'never') return door.why;
  return literalAddress(step) ?? CHECKS[step.op]?.(spec, step);
}

function scenarioRefusals(spec: ScenarioSpec): Refusal[] {
  const out: Refusal[] = [];
  const at = (what: string, reason: string): void => {
    out.push({ step: null, pos: spec.pos, what, reason });
  };
  if (spec.kernel.quirks.length > 0)
    at(
      'kernel.quirks',
      `quirks [${spec.kernel.quirks.join(', ')}] switch on historical behaviour; the host kernel runs the baseline`,
    );
  if (spec.machine.movable > 0)
    at('machine.movable', 'ZONE_MOVABLE is a boot parameter (movablecore=); no door makes one');
  if (spec.machine.cma > 0) at('machine.cma', 'a CMA area is reserved at boot; no door makes one');
  return out;
}

/** Every refusal of the scenario, scenario-wide ones first, then steps in file order. */
export function refusalsOf(spec: ScenarioSpec): Refusal[] {
  const out = scenarioRefusals(spec);
  for (const step of allSteps(spec)) {
    const reason = refusalOf(spec, step);
    if (reason !== undefined)
      out.push({ step, pos: step.pos, what: `${stepLabel(step)} ${step.op}`, reason });
  }
  return out;
}

/** `file:line:col: step main:4 pin_user_pages: reason`. */
export function renderRefusal(r: Refusal): string {
  const where = `${r.pos.file}:${r.pos.line}:${r.pos.column}`;
  return `${where}: ${r.step === null ? '' : 'step '}${r.what}: ${r.reason}`;
}
