/** The catalogue: a descriptor for every operation of scenario format v1, by group. */
import {
  operationRegistry,
  type OperationDescriptor,
  type OperationRegistry,
} from '../operation.js';
import { addressSpaceOps } from './address_space.js';
import { consumerOps } from './consumers.js';
import { fileOps } from './files.js';
import { gupOps } from './gup.js';
import { iovIterOps } from './iov_iter.js';
import { kvmOps } from './kvm.js';
import { lockOps } from './locks.js';
import { mmEventOps } from './mm_events.js';
import { procOps } from './proc.js';
import { processOps } from './processes.js';
import { syncOps } from './sync.js';
import { throughPinOps } from './through_pin.js';
import { userMemoryOps } from './user_memory.js';
import { userfaultfdOps } from './userfaultfd.js';
import { xenOps } from './xen.js';

export const catalogue: readonly OperationDescriptor[] = [
  ...addressSpaceOps,
  ...processOps,
  ...userMemoryOps,
  ...fileOps,
  ...gupOps,
  ...throughPinOps,
  ...iovIterOps,
  ...consumerOps,
  ...xenOps,
  ...kvmOps,
  ...procOps,
  ...userfaultfdOps,
  ...mmEventOps,
  ...lockOps,
  ...syncOps,
];

/** Every operation of the format; the default registry of the loader. */
export const catalogueRegistry: OperationRegistry = operationRegistry(catalogue);

export * from './address_space.js';
export * from './consumers.js';
export * from './files.js';
export * from './gup.js';
export * from './iov_iter.js';
export * from './kvm.js';
export * from './locks.js';
export * from './mm_events.js';
export * from './proc.js';
export * from './processes.js';
export * from './sync.js';
export * from './through_pin.js';
export * from './user_memory.js';
export * from './userfaultfd.js';
export * from './xen.js';
