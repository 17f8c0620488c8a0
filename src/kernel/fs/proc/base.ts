/**
 * fs/proc/base.c: /proc/PID/mem (mem_rw and its FOLL_FORCE policy). A read or write of the file
 * at offset `addr` copies the target's memory through access_remote_vm, at most a page per
 * round, with FOLL_FORCE: a write reaches a read-only private mapping (COW into an anonymous
 * copy, never into the file), as a debugger's breakpoint does.
 */
import { PAGE_SIZE } from '../../../mm/index.js';
import type { Sched } from '../../../sim/thread.js';
import { EIO } from '../../include/errno.js';
import { FOLL_FORCE, FOLL_WRITE } from '../../include/gup_flags.js';
import type { Kernel } from '../../kernel.js';
import { access_remote_vm, type RemoteBuf } from '../../mm/memory_remote.js';
import type { mm_struct } from '../../mm/mm_struct.js';

/**
 * fs/proc/base.c: proc_mem_foll_force(file, mm): may this open file force its way past
 * missing VM_READ/VM_WRITE? With the default proc_mem.force_override (always, from
 * CONFIG_PROC_MEM_ALWAYS_FORCE), yes.
 * @fidelity simplified: only the default policy (no "ptrace" or "never" override)
 */
export function proc_mem_foll_force(): boolean {
  return true;
}

/**
 * fs/proc/base.c: mem_rw(file, buf, count, ppos, write) for a file opened on `mm` (null when
 * the process had no mm, as for a kernel thread). Returns the bytes copied, or -EIO when the
 * first round copies nothing; *ppos moves past what was copied.
 * @fidelity simplified: the user buffer is the model's per-page byte (copy_from_user and
 * copy_to_user never fault); mmget_not_zero fails only for an mm that has exited
 */
export function* mem_rw(
  k: Kernel,
  mm: mm_struct | null,
  buf: RemoteBuf,
  count: number,
  ppos: { value: number },
  write: boolean,
): Sched<number> {
  if (mm === null || mm.dead) return 0;
  let addr = ppos.value;
  let copied = 0;
  let flags = write ? FOLL_WRITE : 0;
  if (proc_mem_foll_force()) flags |= FOLL_FORCE;
  while (count > 0) {
    const this_len = Math.min(count, PAGE_SIZE);
    const got = yield* access_remote_vm(k, mm, addr, buf, this_len, flags);
    if (got === 0) {
      if (copied === 0) copied = -EIO;
      break;
    }
    addr += got;
    copied += got;
    count -= got;
  }
  ppos.value = addr;
  return copied;
}
