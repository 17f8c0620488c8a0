/** Every operation that has a door, to the emitter that writes it in C. */
import { addressSpaceEmitters } from './address_space.js';
import { consumerEmitters } from './consumers.js';
import type { Emitter } from './context.js';
import { fileEmitters } from './files.js';
import { gupEmitters } from './gup.js';
import { kvmEmitters } from './kvm.js';
import { mmEventEmitters } from './mm_events.js';
import { procEmitters } from './proc.js';
import { processEmitters } from './processes.js';
import { userMemoryEmitters } from './user_memory.js';
import { userfaultfdEmitters } from './userfaultfd.js';

/** signal and wait need no code: the order of the steps already holds them. */
const syncEmitters: Readonly<Record<string, Emitter>> = {
  signal: () => ['/* the event is signalled: the steps that waited for it come later */'],
  wait: () => ['/* the event was signalled by an earlier step */'],
};

export const EMITTERS: Readonly<Record<string, Emitter>> = {
  ...addressSpaceEmitters,
  ...processEmitters,
  ...userMemoryEmitters,
  ...fileEmitters,
  ...gupEmitters,
  ...consumerEmitters,
  ...procEmitters,
  ...userfaultfdEmitters,
  ...mmEventEmitters,
  ...kvmEmitters,
  ...syncEmitters,
};

export { cComment, cSize, cString, processFn, threadFn } from './context.js';
export type { Emitter, StepCx } from './context.js';
