/**
 * fallocate() modes: include/uapi/linux/falloc.h. Fidelity: exact values.
 */
import { constTable } from './const_table.js';

export const FALLOC_FL_ALLOCATE_RANGE = 0x00;
export const FALLOC_FL_KEEP_SIZE = 0x01;
export const FALLOC_FL_PUNCH_HOLE = 0x02;
export const FALLOC_FL_NO_HIDE_STALE = 0x04;
export const FALLOC_FL_COLLAPSE_RANGE = 0x08;
export const FALLOC_FL_ZERO_RANGE = 0x10;
export const FALLOC_FL_INSERT_RANGE = 0x20;
export const FALLOC_FL_UNSHARE_RANGE = 0x40;
export const FALLOC_FL_WRITE_ZEROES = 0x80;

export const fallocTable = constTable({
  family: 'FALLOC_FL_*',
  header: 'include/uapi/linux/falloc.h',
  kind: 'bits',
  values: {
    FALLOC_FL_ALLOCATE_RANGE,
    FALLOC_FL_KEEP_SIZE,
    FALLOC_FL_PUNCH_HOLE,
    FALLOC_FL_NO_HIDE_STALE,
    FALLOC_FL_COLLAPSE_RANGE,
    FALLOC_FL_ZERO_RANGE,
    FALLOC_FL_INSERT_RANGE,
    FALLOC_FL_UNSHARE_RANGE,
    FALLOC_FL_WRITE_ZEROES,
  },
});
