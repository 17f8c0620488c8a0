/**
 * Kernel constants, one module per kernel header. Import a module directly
 * (`kernel/include/gup_flags.js`) for its constants; this index gathers the name tables.
 */
export type { ConstKind, ConstTable, ConstTableSpec } from './const_table.js';
export { constTable } from './const_table.js';
export { BIT, maskAnd, maskAndNot, maskHasAll, maskHasAny, maskOr, maskWeight } from './bits.js';
export { errnoName, errnoTable, errnoValue, IS_ERR_VALUE, MAX_ERRNO } from './errno.js';
export { fallocTable } from './falloc.js';
export { faultFlagTable, vmFaultTable } from './fault_flags.js';
export { openTable } from './fcntl.js';
export { follTable, INTERNAL_GUP_FLAGS } from './gup_flags.js';
export { hugetlbEncode, hugetlbEncodedSize } from './hugetlb_encode.js';
export { mfdTable } from './memfd.js';
export { madvTable, mapTable, mremapTable, protTable } from './mman.js';
export { signalTable } from './signal.js';
export { vmFlagTable } from './vm_flags.js';
