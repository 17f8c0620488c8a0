/** include/linux/uio.h: the iov_iter direction names a scenario may use (ITER_DEST, ITER_SOURCE). */
import { ITER_DEST, ITER_SOURCE } from '../lib/iov_iter.js';
import { constTable } from './const_table.js';

export const iterDirectionTable = constTable({
  family: 'ITER_* direction',
  header: 'include/linux/uio.h',
  kind: 'values',
  values: { ITER_DEST, ITER_SOURCE },
  aliases: { READ: ITER_DEST, WRITE: ITER_SOURCE },
});
