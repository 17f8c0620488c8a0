/**
 * vm_area_struct->vm_flags bits: include/linux/mm.h, v6.18, for an x86-64 build with
 * CONFIG_MMU, CONFIG_64BIT, CONFIG_MEM_SOFT_DIRTY, CONFIG_X86_USER_SHADOW_STACK,
 * CONFIG_X86_INTEL_MEMORY_PROTECTION_KEYS (4 pkey bits) and CONFIG_HAVE_ARCH_USERFAULTFD_MINOR.
 * Fidelity: exact bit numbers. Bits above 31 need the helpers of ./bits.ts (not `|`/`&`).
 * Bit 11 is unused in v6.18 (later trees use it for VM_MAYBE_GUARD).
 */
import { BIT, maskOr } from './bits.js';
import { constTable } from './const_table.js';

export const VM_NONE = 0x00000000;
export const VM_READ = BIT(0);
export const VM_WRITE = BIT(1);
export const VM_EXEC = BIT(2);
export const VM_SHARED = BIT(3);
/** limits for mprotect() etc.; mprotect() hardcodes VM_MAYREAD >> 4 == VM_READ */
export const VM_MAYREAD = BIT(4);
export const VM_MAYWRITE = BIT(5);
export const VM_MAYEXEC = BIT(6);
export const VM_MAYSHARE = BIT(7);
/** general info on the segment */
export const VM_GROWSDOWN = BIT(8);
/** missing pages tracking (userfaultfd) */
export const VM_UFFD_MISSING = BIT(9);
/** page-ranges managed without "struct page", just pure PFN */
export const VM_PFNMAP = BIT(10);
/** wrprotect pages tracking (userfaultfd) */
export const VM_UFFD_WP = BIT(12);
export const VM_LOCKED = BIT(13);
/** memory mapped I/O or similar */
export const VM_IO = BIT(14);
/** app will access data sequentially */
export const VM_SEQ_READ = BIT(15);
/** app will not benefit from clustered reads */
export const VM_RAND_READ = BIT(16);
/** do not copy this vma on fork */
export const VM_DONTCOPY = BIT(17);
/** cannot expand with mremap() */
export const VM_DONTEXPAND = BIT(18);
/** lock pages covered when faulted in */
export const VM_LOCKONFAULT = BIT(19);
/** is a VM accounted object */
export const VM_ACCOUNT = BIT(20);
/** should the VM suppress accounting */
export const VM_NORESERVE = BIT(21);
/** huge TLB page VM */
export const VM_HUGETLB = BIT(22);
/** synchronous page faults */
export const VM_SYNC = BIT(23);
/** architecture-specific flag */
export const VM_ARCH_1 = BIT(24);
/** wipe VMA contents in child */
export const VM_WIPEONFORK = BIT(25);
/** do not include in the core dump */
export const VM_DONTDUMP = BIT(26);
/** NOT soft dirty clean area */
export const VM_SOFTDIRTY = BIT(27);
/** can contain struct page and pure PFN pages */
export const VM_MIXEDMAP = BIT(28);
/** MADV_HUGEPAGE marked this vma */
export const VM_HUGEPAGE = BIT(29);
/** MADV_NOHUGEPAGE marked this vma */
export const VM_NOHUGEPAGE = BIT(30);
/** KSM may merge identical pages */
export const VM_MERGEABLE = BIT(31);
// VM_HIGH_ARCH_0..4 on x86: protection key bits
export const VM_PKEY_BIT0 = BIT(32);
export const VM_PKEY_BIT1 = BIT(33);
export const VM_PKEY_BIT2 = BIT(34);
export const VM_PKEY_BIT3 = BIT(35);
/** VM_HIGH_ARCH_5 on x86 */
export const VM_SHADOW_STACK = BIT(37);
/** memory safe for any non-cachable type inside KVM (VFIO) */
export const VM_ALLOW_ANY_UNCACHED = BIT(39);
export const VM_DROPPABLE = BIT(40);
export const VM_UFFD_MINOR = BIT(41);
export const VM_SEALED = BIT(42);
/** x86 stacks grow down */
export const VM_STACK = VM_GROWSDOWN;

/** VMA basic access permission flags */
export const VM_ACCESS_FLAGS = VM_READ | VM_WRITE | VM_EXEC;
/** special vmas that are non-mergable, non-mlock()able */
export const VM_SPECIAL = VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP;
/** all the VMA flag bits used by mlock */
export const VM_LOCKED_MASK = VM_LOCKED | VM_LOCKONFAULT;
/** x86 guard gap flags */
export const VM_STARTGAP_FLAGS = maskOr(VM_GROWSDOWN, VM_SHADOW_STACK);

export const vmFlagTable = constTable({
  family: 'VM_*',
  header: 'include/linux/mm.h',
  kind: 'bits',
  values: {
    VM_NONE,
    VM_READ,
    VM_WRITE,
    VM_EXEC,
    VM_SHARED,
    VM_MAYREAD,
    VM_MAYWRITE,
    VM_MAYEXEC,
    VM_MAYSHARE,
    VM_GROWSDOWN,
    VM_UFFD_MISSING,
    VM_PFNMAP,
    VM_UFFD_WP,
    VM_LOCKED,
    VM_IO,
    VM_SEQ_READ,
    VM_RAND_READ,
    VM_DONTCOPY,
    VM_DONTEXPAND,
    VM_LOCKONFAULT,
    VM_ACCOUNT,
    VM_NORESERVE,
    VM_HUGETLB,
    VM_SYNC,
    VM_ARCH_1,
    VM_WIPEONFORK,
    VM_DONTDUMP,
    VM_SOFTDIRTY,
    VM_MIXEDMAP,
    VM_HUGEPAGE,
    VM_NOHUGEPAGE,
    VM_MERGEABLE,
    VM_PKEY_BIT0,
    VM_PKEY_BIT1,
    VM_PKEY_BIT2,
    VM_PKEY_BIT3,
    VM_SHADOW_STACK,
    VM_ALLOW_ANY_UNCACHED,
    VM_DROPPABLE,
    VM_UFFD_MINOR,
    VM_SEALED,
  },
  aliases: { VM_STACK },
});
