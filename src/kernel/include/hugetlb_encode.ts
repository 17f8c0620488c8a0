/**
 * include/uapi/asm-generic/hugetlb_encode.h: log2 of a hugetlb page size in bits [26:31]
 * of mmap(), memfd_create() and shmget() flags. Fidelity: exact values.
 */

export const HUGETLB_FLAG_ENCODE_SHIFT = 26;
export const HUGETLB_FLAG_ENCODE_MASK = 0x3f;

/** (log2 << HUGETLB_FLAG_ENCODE_SHIFT), computed without 32-bit overflow. */
function encode(log2: number): number {
  return log2 * 2 ** HUGETLB_FLAG_ENCODE_SHIFT;
}

export const HUGETLB_FLAG_ENCODE_16KB = encode(14);
export const HUGETLB_FLAG_ENCODE_64KB = encode(16);
export const HUGETLB_FLAG_ENCODE_512KB = encode(19);
export const HUGETLB_FLAG_ENCODE_1MB = encode(20);
export const HUGETLB_FLAG_ENCODE_2MB = encode(21);
export const HUGETLB_FLAG_ENCODE_8MB = encode(23);
export const HUGETLB_FLAG_ENCODE_16MB = encode(24);
export const HUGETLB_FLAG_ENCODE_32MB = encode(25);
export const HUGETLB_FLAG_ENCODE_256MB = encode(28);
export const HUGETLB_FLAG_ENCODE_512MB = encode(29);
export const HUGETLB_FLAG_ENCODE_1GB = encode(30);
export const HUGETLB_FLAG_ENCODE_2GB = encode(31);
export const HUGETLB_FLAG_ENCODE_16GB = encode(34);

/** The page size encoded in `flags` (bytes), or 0 when the field is empty (default size). */
export function hugetlbEncodedSize(flags: number): number {
  const log2 = Math.floor(flags / 2 ** HUGETLB_FLAG_ENCODE_SHIFT) & HUGETLB_FLAG_ENCODE_MASK;
  return log2 === 0 ? 0 : 2 ** log2;
}

/** The flag bits that request a hugetlb page of `size` bytes (a power of two). */
export function hugetlbEncode(size: number): number {
  return encode(Math.log2(size));
}
