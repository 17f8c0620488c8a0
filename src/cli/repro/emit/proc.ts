/** /proc/PID/mem reads (proc_mem_write's emitter is with the consumers). */
import { argsOf, type BindingRef } from '../../../scenario/index.js';
import { proc_mem_read } from '../../../scenario/ops/index.js';
import { cAddr, cSize, type Emitter, type StepCx } from './context.js';

/** The pid of the target process: `pid:` if given, else the acting process. */
function pidOf(cx: StepCx, pid: BindingRef | undefined): string {
  const name = pid?.name ?? cx.planned.acting;
  return `(pid_t)S->b[${cx.slot(name)}].value`;
}

export const procEmitters: Readonly<Record<string, Emitter>> = {
  proc_mem_read(cx) {
    const a = argsOf(cx.step, proc_mem_read);
    const len = cSize(a.length);
    const bind = cx.bound === undefined ? ['(void)n;'] : [`bind_pages(${cx.bound}, v, n, r);`];
    return [
      'char path[64];',
      `snprintf(path, sizeof(path), "/proc/%d/mem", (int)${pidOf(cx, a.pid)});`,
      `char *buf = scratch(${len});`,
      `int16_t *v = scratch((${len} / PAGE + 1) * sizeof(*v));`,
      'int fd = open(path, O_RDONLY);',
      `int64_t r = fd < 0 ? -(int64_t)errno : sys(pread(fd, buf, ${len}, (off_t)(uintptr_t)${cAddr(cx, a.addr)}));`,
      'if (fd >= 0)',
      '\tclose(fd);',
      'int n = buffer_pages(buf, r > 0 ? (size_t)r : 0, v);',
      ...bind,
      'free(buf), free(v);',
    ];
  },
};
