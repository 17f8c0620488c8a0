/**
 * The GUP steps that have a door: pin_user_pages_fast(FOLL_WRITE | FOLL_LONGTERM) is an io_uring
 * fixed buffer on a ring of its own; unpinning unregisters it; kernel_read reads the pinned pages
 * through IORING_OP_WRITE_FIXED.
 */
import { argsOf, type BindingRef } from '../../../scenario/index.js';
import { kernel_read, pin_user_pages_fast } from '../../../scenario/ops/index.js';
import { bindLines, cAddr, type Emitter, type StepCx } from './context.js';

function ringOf(cx: StepCx, pages: BindingRef): string {
  cx.need('io_uring');
  return `&rings[${cx.slot(pages.name)}]`;
}

function unpin(cx: StepCx): string[] {
  const ring = ringOf(cx, cx.step.args['pages'] as BindingRef);
  return [`int64_t r = ring_unregister(${ring});`, ...bindLines(cx, 'r', 'r')];
}

export const gupEmitters: Readonly<Record<string, Emitter>> = {
  pin_user_pages_fast(cx) {
    const a = argsOf(cx.step, pin_user_pages_fast);
    cx.need('io_uring');
    const ring = cx.bound === undefined ? '&anonymous_pin' : `&rings[${cx.bound}]`;
    const declare = cx.bound === undefined ? ['static struct ring anonymous_pin;'] : [];
    return [
      ...declare,
      '/* io_uring/rsrc.c: io_sqe_buffer_register -> io_pin_pages ->',
      ' *   pin_user_pages_fast(FOLL_WRITE | FOLL_LONGTERM); a partial pin is undone: -EFAULT */',
      `int64_t r = ring_register(${ring}, ${cAddr(cx, a.start)}, ${a.nr_pages} * PAGE);`,
      ...bindLines(cx, `r == 0 ? ${a.nr_pages} : 0`, `r == 0 ? ${a.nr_pages} : r`),
    ];
  },
  unpin_user_pages: unpin,
  unpin_user_page: unpin,
  unpin_user_pages_dirty_lock: unpin,
  kernel_read(cx) {
    const a = argsOf(cx.step, kernel_read);
    const ring = ringOf(cx, a.pages);
    const bind = cx.bound === undefined ? [] : [`bind_pages(${cx.bound}, v, n, 0);`];
    return [
      `int16_t *v = scratch((${ring})->len / PAGE * sizeof(*v) + 1);`,
      `int n = observe_pin(${ring}, v);`,
      ...bind,
      'free(v);',
    ];
  },
};
