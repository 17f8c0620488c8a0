/**
 * The C every reproducer starts with: a small harness in the spirit of native/harness.h, kept in
 * the program so that it stands alone (libc and uapi headers only). Parts are included when the
 * program needs them.
 *
 *   output       say/diag (one write(2) per line: forked processes never duplicate output),
 *                bail (the program broke), skip_all (the host cannot run it)
 *   turns        a counter in MAP_SHARED memory and a futex: every process and thread runs its
 *                steps when the counter reaches them, so steps run one at a time, in order
 *   bound names  slots in the shared memory, printed as one JSON object at the end
 *   TAP          one line per expectation, preceded by `# expect THREAD:STEP (line N)`
 *   user access  stores and loads page by page with SIGSEGV/SIGBUS turned into -EFAULT
 */
import { CORE_ACCESS } from './access.js';
import { FILES, MOVE_PAGES } from './files.js';
import { KVM } from './kvm.js';
import { OBSERVE } from './observe.js';
import { IO_URING, PTHREAD } from './parts.js';
import { CORE_STATE } from './state.js';

export type PreludePart = 'io_uring' | 'observe' | 'files' | 'move_pages' | 'pthread' | 'kvm';

export const PRELUDE_INCLUDES = `#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>`;

const PARTS: Readonly<Record<PreludePart, string>> = {
  pthread: PTHREAD,
  io_uring: IO_URING,
  observe: OBSERVE,
  files: FILES,
  move_pages: MOVE_PAGES,
  kvm: KVM,
};

/** The prelude, with the parts the program uses (in a fixed order). */
export function prelude(parts: ReadonlySet<PreludePart>): string[] {
  const order: PreludePart[] = ['pthread', 'io_uring', 'observe', 'files', 'move_pages', 'kvm'];
  return [
    CORE_STATE,
    CORE_ACCESS,
    ...order.filter((p) => parts.has(p)).map((p) => PARTS[p].replace(/^\n/, '')),
  ];
}
