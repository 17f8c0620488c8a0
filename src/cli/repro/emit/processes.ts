/** fork, exit, kill: the child runs its steps in its own function; exits are waited for. */
import { argsOf } from '../../../scenario/index.js';
import { kill } from '../../../scenario/ops/index.js';
import { bindLines, cString, processFn, type Emitter } from './context.js';

export const processEmitters: Readonly<Record<string, Emitter>> = {
  fork(cx) {
    const child = cx.step.as?.name;
    const run =
      child === undefined
        ? [
            'if (pid == 0)',
            '\tend_process(END_TURN); /* an unnamed child only waits for the end */',
          ]
        : ['if (pid == 0)', `\t${processFn(child)}(); /* the child runs its steps there */`];
    return ['pid_t pid = fork();', ...run, ...bindLines(cx, 'pid', 'sys(pid)')];
  },
  exit() {
    return ['_exit(0); /* the supervisor waits until the process is gone */'];
  },
  kill(cx) {
    argsOf(cx.step, kill);
    const target = cx.planned.acting;
    const pid = `(pid_t)S->b[${cx.slot(target)}].value`;
    return [
      `int64_t r = sys(kill(${pid}, SIGKILL));`,
      `if (r == 0)`,
      `\tawait_exit(${pid}, ${cString(target)});`,
      ...bindLines(cx, 'r', 'r'),
    ];
  },
};
