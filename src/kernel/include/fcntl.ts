/**
 * open() flags: include/uapi/asm-generic/fcntl.h (x86-64 uses the generic values).
 * Fidelity: exact values (the header writes them in octal; so do we).
 */
import { constTable } from './const_table.js';

export const O_ACCMODE = 0o00000003; // mask, not a flag
export const O_RDONLY = 0o00000000;
export const O_WRONLY = 0o00000001;
export const O_RDWR = 0o00000002;
export const O_CREAT = 0o00000100;
export const O_EXCL = 0o00000200;
export const O_NOCTTY = 0o00000400;
export const O_TRUNC = 0o00001000;
export const O_APPEND = 0o00002000;
export const O_NONBLOCK = 0o00004000;
export const O_DSYNC = 0o00010000;
export const FASYNC = 0o00020000;
export const O_DIRECT = 0o00040000;
export const O_LARGEFILE = 0o00100000;
export const O_DIRECTORY = 0o00200000;
export const O_NOFOLLOW = 0o00400000;
export const O_NOATIME = 0o01000000;
export const O_CLOEXEC = 0o02000000;
const __O_SYNC = 0o04000000;
export const O_SYNC = __O_SYNC | O_DSYNC;
export const O_PATH = 0o010000000;
const __O_TMPFILE = 0o020000000;
export const O_TMPFILE = __O_TMPFILE | O_DIRECTORY;
export const O_NDELAY = O_NONBLOCK;

export const openTable = constTable({
  family: 'O_*',
  header: 'include/uapi/asm-generic/fcntl.h',
  kind: 'bits',
  values: {
    O_RDONLY,
    O_WRONLY,
    O_RDWR,
    O_CREAT,
    O_EXCL,
    O_NOCTTY,
    O_TRUNC,
    O_APPEND,
    O_NONBLOCK,
    O_DSYNC,
    O_DIRECT,
    O_LARGEFILE,
    O_DIRECTORY,
    O_NOFOLLOW,
    O_NOATIME,
    O_CLOEXEC,
    O_SYNC,
    O_PATH,
    O_TMPFILE,
  },
  aliases: { O_NDELAY },
});
