/**
 * The door map: for every operation of the scenario format, the user-space door a reproducer
 * uses to make the real kernel take the path gupsim models, or why there is none. A door must
 * take exactly the modelled kernel path; a step without one is refused by name, never
 * approximated. docs/oracle.md renders this table (a test keeps the two in step).
 */

export interface Door {
  /** What the reproducer does, in C. */
  readonly door: string;
  /** Why that is the modelled path (or, for a refusal, why nothing is). */
  readonly why: string;
  /** Refused unless the conditions in refusals.ts hold (`partly`), or always (`never`). */
  readonly maps: 'yes' | 'partly' | 'never';
}

const IO_URING_PIN =
  'IORING_REGISTER_BUFFERS of [start, start + nr_pages * 4KiB) on a ring of its own: io_uring/rsrc.c: io_sqe_buffer_register -> io_pin_pages -> pin_user_pages_fast(FOLL_WRITE | FOLL_LONGTERM)';

export const DOORS: Readonly<Record<string, Door>> = {
  mmap: { door: 'mmap(2)', why: 'the system call itself', maps: 'yes' },
  munmap: { door: 'munmap(2)', why: 'the system call itself', maps: 'yes' },
  mprotect: { door: 'mprotect(2)', why: 'the system call itself', maps: 'yes' },
  madvise: {
    door: 'madvise(2)',
    why: 'the system call itself; MADV_PAGEOUT is the per-range door to reclaim (shrink_folio_list); MADV_HWPOISON and MADV_SOFT_OFFLINE are refused: they take the page away from the whole host',
    maps: 'partly',
  },
  mremap: { door: 'mremap(2)', why: 'the system call itself', maps: 'yes' },
  clear_refs: {
    door: 'write(2) of the value to /proc/self/clear_refs',
    why: 'fs/proc/task_mmu.c: clear_refs_write',
    maps: 'yes',
  },
  fork: { door: 'fork(2)', why: 'kernel_clone -> copy_mm -> dup_mmap', maps: 'yes' },
  exit: {
    door: '_exit(2) in the process; the next step waits on a pidfd until it is gone',
    why: 'do_group_exit -> exit_mm: the address space is torn down before the pidfd reports the exit',
    maps: 'yes',
  },
  kill: {
    door: 'kill(2) with SIGKILL of another process, then wait on its pidfd',
    why: 'a whole-process SIGKILL is what the model sends; a signal to one thread, or another signal, is refused: SIGKILL ends the whole thread group on Linux, and the host cannot deliver a signal inside a step',
    maps: 'partly',
  },
  memset: {
    door: 'a store of the value to every byte, 4 KiB page by page in ascending order, SIGSEGV/SIGBUS caught',
    why: 'user stores take the modelled faults (do_user_addr_fault); page-aligned ranges only, since the model keeps one value per 4 KiB page',
    maps: 'partly',
  },
  read: {
    door: 'loads of every byte, page by page, SIGSEGV/SIGBUS caught',
    why: 'user loads take the modelled read faults; page-aligned ranges only',
    maps: 'partly',
  },
  expect: {
    door: 'value: compared in the program; memory: /proc/self/pagemap, then a load of present pages only; pages: IORING_OP_WRITE_FIXED of the pinned buffer into a scratch memfd',
    why: 'a memory expectation reads without faulting: a page that is not present reads as what a fault would map (zero for anonymous memory, the file through /proc/self/map_files), and a swapped-out page cannot be read without swapping it in, so that check is skipped and says so; WRITE_FIXED copies from the pinned pages through kmap (copy_page_from_iter on a bvec)',
    maps: 'partly',
  },
  open: {
    door: 'open(2) in a directory on the file system named (a scratch mount the oracle makes, or $GUPSIM_DIR_<FS>)',
    why: 'the system call itself; opening a read-only declared file for writing is refused: root bypasses file modes',
    maps: 'partly',
  },
  memfd_create: { door: 'memfd_create(2)', why: 'the system call itself', maps: 'yes' },
  ftruncate: { door: 'ftruncate(2)', why: 'the system call itself', maps: 'yes' },
  fallocate: { door: 'fallocate(2)', why: 'the system call itself', maps: 'yes' },
  pread: {
    door: 'pread(2) into addr (with O_DIRECT: iov_iter_extract_pages -> pin_user_pages_fast); without addr, into a scratch buffer through a second, buffered descriptor of the file',
    why: 'the system call itself',
    maps: 'yes',
  },
  pwrite: {
    door: 'pwrite(2) from addr (or from a scratch buffer holding value)',
    why: 'the system call itself',
    maps: 'yes',
  },
  fsync: { door: 'fsync(2)', why: 'the system call itself', maps: 'yes' },
  close: { door: 'close(2)', why: 'the system call itself', maps: 'yes' },
  get_user_pages: {
    door: 'none',
    why: 'no user-space door takes FOLL_GET references and keeps them across system calls; vmsplice (its own step) keeps them in a pipe',
    maps: 'never',
  },
  get_user_pages_fast: {
    door: 'none',
    why: 'vmsplice takes FOLL_GET references through iov_iter_get_pages2, but as its own step (vmsplice); a bare call has no door',
    maps: 'never',
  },
  get_user_pages_remote: {
    door: 'none',
    why: '/proc/PID/mem and ptrace call it and drop the references within the call; write proc_mem_write',
    maps: 'never',
  },
  get_user_pages_unlocked: {
    door: 'none',
    why: 'no user-space door keeps its references across system calls',
    maps: 'never',
  },
  get_user_pages_fast_only: {
    door: 'none',
    why: 'used by perf and KVM internally; no user-space door keeps its references',
    maps: 'never',
  },
  pin_user_pages: {
    door: 'none',
    why: 'no door pins with caller-held mmap_lock and keeps the pin (AF_XDP and RDMA need devices); io_uring uses pin_user_pages_fast: write that with [FOLL_WRITE, FOLL_LONGTERM]',
    maps: 'never',
  },
  pin_user_pages_fast: {
    door: IO_URING_PIN,
    why: 'exactly the gup_flags io_uring passes; a partial pin is released and reported as -EFAULT by io_pin_pages, so .ret is nr_pages or an errno. Other flags are refused: short-term pins (O_DIRECT, process_vm_*) are dropped inside one system call, and R/O longterm pins come from RDMA, vfio and iommufd, which need devices',
    maps: 'partly',
  },
  pin_user_pages_remote: {
    door: 'none',
    why: 'process_vm_readv/writev pin remotely and unpin within the call: write process_vm_writev',
    maps: 'never',
  },
  pin_user_pages_unlocked: {
    door: 'none',
    why: 'its users (vfio type1, some drivers) need devices',
    maps: 'never',
  },
  unpin_user_page: {
    door: 'IORING_UNREGISTER_BUFFERS of the pin\'s ring (every page: "each page in turn")',
    why: 'io_uring/rsrc.c: io_buffer_unmap -> unpin_user_folio; a single page by index is refused unless the pin has one page',
    maps: 'partly',
  },
  unpin_user_pages: {
    door: "IORING_UNREGISTER_BUFFERS of the pin's ring",
    why: 'io_buffer_unmap unpins every page of the buffer; a partial npages is refused',
    maps: 'partly',
  },
  unpin_user_pages_dirty_lock: {
    door: 'IORING_UNREGISTER_BUFFERS when make_dirty is false (then it is unpin_user_pages); refused when true',
    why: 'io_uring never dirties on unpin; no door calls it with make_dirty',
    maps: 'partly',
  },
  put_page: {
    door: 'none',
    why: 'the one GUP door (io_uring) pins; FOLL_GET references are held only inside vmsplice pipes, released by pipe_read',
    maps: 'never',
  },
  kernel_read: {
    door: "IORING_OP_WRITE_FIXED of the pin's buffer into a scratch memfd, then pread(2) of the memfd",
    why: 'the kernel reads the pinned pages through kmap_local_page (copy_page_from_iter on a bvec); pages from the io_uring door only',
    maps: 'partly',
  },
  kernel_write: {
    door: 'none',
    why: "a driver's kmap_local_page + memset after pin_user_pages has no user-space door; IORING_OP_READ_FIXED copies a file's data through copy_page_to_iter, another path",
    maps: 'never',
  },
  dma_read: { door: 'none', why: 'no DMA device on the host', maps: 'never' },
  dma_write: { door: 'none', why: 'no DMA device on the host', maps: 'never' },
  vmsplice: {
    door: 'vmsplice(2) without flags, into a pipe the supervisor made before any process started (so every process holds it; F_SETPIPE_SZ above 64 KiB)',
    why: 'fs/splice.c: vmsplice_to_pipe -> iter_to_pipe -> iov_iter_get_pages2 (FOLL_GET); refused inside a repeat, which would bind a new pipe each time',
    maps: 'partly',
  },
  pipe_read: {
    door: 'read(2) of everything in the pipe (FIONREAD)',
    why: 'fs/pipe.c: pipe_read copies from the referenced pages and releases them',
    maps: 'yes',
  },
  io_uring_register_buffers: {
    door: 'IORING_REGISTER_BUFFERS (one iovec) on a ring of its own',
    why: 'the system call itself',
    maps: 'yes',
  },
  io_uring_write_fixed: {
    door: 'IORING_OP_WRITE_FIXED, waited for',
    why: 'the system call itself',
    maps: 'yes',
  },
  io_uring_unregister_buffers: {
    door: 'IORING_UNREGISTER_BUFFERS',
    why: 'the system call itself',
    maps: 'yes',
  },
  process_vm_writev: {
    door: 'process_vm_writev(2)',
    why: 'mm/process_vm_access.c: process_vm_rw_core -> pin_user_pages_remote',
    maps: 'yes',
  },
  proc_mem_write: {
    door: 'pwrite(2) to /proc/PID/mem',
    why: 'fs/proc/base.c: mem_rw -> access_remote_vm (FOLL_FORCE)',
    maps: 'yes',
  },
  proc_mem_read: {
    door: 'pread(2) from /proc/PID/mem',
    why: 'fs/proc/base.c: mem_rw -> access_remote_vm (FOLL_FORCE)',
    maps: 'yes',
  },
  io_uring_read_fixed: {
    door: 'IORING_OP_READ_FIXED, waited for',
    why: 'io_uring/rw.c: io_read into the registered (pinned) buffer: the file data is copied through kmap (copy_page_to_iter on a bvec)',
    maps: 'yes',
  },
  process_vm_readv: {
    door: 'process_vm_readv(2)',
    why: 'mm/process_vm_access.c: process_vm_rw_core -> pin_user_pages_remote',
    maps: 'yes',
  },
  iov_iter_extract_pages: {
    door: 'none',
    why: 'a kernel-internal call on an iterator a driver builds; its user-space doors (O_DIRECT pread/pwrite, vmsplice) are their own steps',
    maps: 'never',
  },
  iov_iter_get_pages2: {
    door: 'none',
    why: 'a kernel-internal call on an iterator a driver builds; vmsplice (its own step) is the door that keeps the references',
    maps: 'never',
  },
  copy_to_iter: {
    door: 'none',
    why: 'a kernel-internal copy into an iterator a driver builds (and its direction); no system call lets user space choose the iterator',
    maps: 'never',
  },
  copy_from_iter: {
    door: 'none',
    why: 'a kernel-internal copy out of an iterator a driver builds (and its direction); no system call lets user space choose the iterator',
    maps: 'never',
  },
  block_bio_queue: {
    door: 'none',
    why: 'waiting until a bio is queued is a point inside a system call; the host runs whole steps',
    maps: 'never',
  },
  vfio_iommu_type1_map_dma: {
    door: 'none',
    why: 'VFIO_IOMMU_MAP_DMA needs a VFIO container with a device bound to vfio-pci and an IOMMU',
    maps: 'never',
  },
  vfio_iommu_type1_unmap_dma: {
    door: 'none',
    why: 'VFIO_IOMMU_UNMAP_DMA needs a VFIO container with a device bound to vfio-pci and an IOMMU',
    maps: 'never',
  },
  vfio_pin_pages: {
    door: 'none',
    why: 'called by an emulated-IOMMU (mdev) device driver; no such device on the host',
    maps: 'never',
  },
  ib_umem_get: {
    door: 'none',
    why: 'ibv_reg_mr needs an RDMA device (rxe/siw would add a software device to the whole host)',
    maps: 'never',
  },
  ib_umem_release: {
    door: 'none',
    why: 'ibv_dereg_mr needs an RDMA device (rxe/siw would add a software device to the whole host)',
    maps: 'never',
  },
  privcmd_ioctl_dm_op: {
    door: 'none',
    why: 'Xen privcmd needs a Xen hypervisor (dom0); the host runs on bare metal or another hypervisor',
    maps: 'never',
  },
  blkif_queue_request: {
    door: 'none',
    why: 'xen-blkfront needs a Xen hypervisor and a backend domain',
    maps: 'never',
  },
  blkif_interrupt: {
    door: 'none',
    why: 'xen-blkfront needs a Xen hypervisor and a backend domain',
    maps: 'never',
  },
  make_response: {
    door: 'none',
    why: 'xen-blkback needs a Xen hypervisor and a frontend domain',
    maps: 'never',
  },
  gnttab_map_refs: {
    door: 'none',
    why: 'gntdev grant mappings need a Xen hypervisor and another domain',
    maps: 'never',
  },
  gnttab_unmap_refs: {
    door: 'none',
    why: 'gntdev grant mappings need a Xen hypervisor and another domain',
    maps: 'never',
  },
  do_blockdev_direct_IO: {
    door: 'none',
    why: 'the modelled path reads into a gntdev mapping on x86 PV Xen (2012), which needs a Xen hypervisor',
    maps: 'never',
  },
  kvm_create_vm: {
    door: "open(/dev/kvm), KVM_CREATE_VM (with KVM_CREATE_IRQCHIP when async_pf, so that kvm_can_do_async_pf may say yes), and the guest code (32 bytes, flat 32-bit protected mode without paging) in a memslot of its own: slot 32763 at guest-physical 3GiB; a vCPU is made on each thread's first access (KVM_CREATE_VCPU, kvm_run mmapped), as the model makes it",
    why: 'virt/kvm/kvm_main.c: kvm_dev_ioctl_create_vm -> kvm_create_vm, the ioctl itself; the code slot is private to the reproducer (see kvm_set_user_memory_region)',
    maps: 'partly',
  },
  kvm_set_user_memory_region: {
    door: 'ioctl(KVM_SET_USER_MEMORY_REGION) with the slot, flags, guest-physical address, size and user address of the step',
    why: "virt/kvm/kvm_main.c: kvm_vm_ioctl_set_memory_region -> kvm_set_memory_region, the ioctl itself; refused: slot 32763 or a range over guest-physical 3GiB (the guest code's), address space 1 (SMM on x86 hosts, which the model leaves out), a VM of another process (KVM answers -EIO and the program has no descriptor there)",
    maps: 'partly',
  },
  kvm_guest_write: {
    door: "KVM_SET_REGS (RIP at the write routine, EDI the page at gpa, AL the value), then KVM_RUN of the thread's vCPU until its OUT: rep stosb over the page; a userfaultfd fault waits inside KVM_RUN until the handler resolves it; a KVM_EXIT_MMIO store is taken as a VMM takes it, and KVM_RUN goes on",
    why: "the guest store faults through the secondary MMU (kvm_mmu_do_page_fault -> kvm_mmu_faultin_pfn -> hva_to_pfn -> GUP), retried until it completes; the model stores the whole page. KVM_RUN's error is the errno; a store KVM emulates (no memslot, a read-only one) exits with KVM_EXIT_MMIO, and the first exit's exit_reason, mmio.phys_addr, is_write and data[0] are .exit_reason and the .mmio_* fields, as the model binds them. Refused: a page at or above 4GiB or the code page, a VM of another process, and an expectation on .async_pf or .faults",
    maps: 'partly',
  },
  kvm_guest_read: {
    door: "KVM_SET_REGS (RIP at the read routine, ESI the page at gpa), then KVM_RUN of the thread's vCPU until its OUT: a load of the page's first byte, then repe scasb over the page; NAME is the page's value (EAX), -1 when its bytes differ; a userfaultfd fault waits inside KVM_RUN until the handler resolves it; a KVM_EXIT_MMIO load is answered with mmio_value in run->mmio.data, and KVM_RUN goes on",
    why: "the guest load faults through the secondary MMU (kvm_mmu_do_page_fault -> kvm_mmu_faultin_pfn -> hva_to_pfn -> GUP), retried until it completes. KVM_RUN's error is the errno; a load KVM emulates (no memslot) exits with KVM_EXIT_MMIO, and the first exit's exit_reason, mmio.phys_addr and is_write are .exit_reason and the .mmio_* fields, as the model binds them. Refused: a page at or above 4GiB or the code page, a VM of another process, and an expectation on .async_pf or .faults",
    maps: 'partly',
  },
  kvm_vcpu_map: {
    door: 'none',
    why: 'kvm_vcpu_map is called by KVM itself (nested VMX/SVM state pages); no ioctl maps a chosen gpa and keeps it',
    maps: 'never',
  },
  kvm_vcpu_unmap: {
    door: 'none',
    why: 'kvm_vcpu_map is called by KVM itself (nested VMX/SVM state pages); no ioctl maps a chosen gpa and keeps it',
    maps: 'never',
  },
  userfaultfd: {
    door: 'userfaultfd(2) through syscall(2), then ioctl(UFFDIO_API) with the features',
    why: 'fs/userfaultfd.c: new_userfaultfd, userfaultfd_api: the system call itself (root: vm.unprivileged_userfaultfd does not apply)',
    maps: 'yes',
  },
  UFFDIO_REGISTER: {
    door: 'ioctl(UFFDIO_REGISTER)',
    why: "fs/userfaultfd.c: userfaultfd_register, the system call itself; NAME.ioctls is the host's mask (it has UFFDIO_MOVE and UFFDIO_POISON, which the model leaves out)",
    maps: 'yes',
  },
  UFFDIO_UNREGISTER: {
    door: 'ioctl(UFFDIO_UNREGISTER)',
    why: 'fs/userfaultfd.c: userfaultfd_unregister, the system call itself',
    maps: 'yes',
  },
  UFFDIO_COPY: {
    door: 'ioctl(UFFDIO_COPY) from a scratch buffer holding value',
    why: 'fs/userfaultfd.c: userfaultfd_copy -> mfill_atomic_copy, the system call itself',
    maps: 'yes',
  },
  UFFDIO_ZEROPAGE: {
    door: 'ioctl(UFFDIO_ZEROPAGE)',
    why: 'fs/userfaultfd.c: userfaultfd_zeropage -> mfill_atomic_zeropage, the system call itself',
    maps: 'yes',
  },
  UFFDIO_CONTINUE: {
    door: 'ioctl(UFFDIO_CONTINUE)',
    why: 'fs/userfaultfd.c: userfaultfd_continue -> mfill_atomic_continue, the system call itself',
    maps: 'yes',
  },
  UFFDIO_WRITEPROTECT: {
    door: 'ioctl(UFFDIO_WRITEPROTECT)',
    why: 'fs/userfaultfd.c: userfaultfd_writeprotect -> mwriteprotect_range, the system call itself',
    maps: 'yes',
  },
  UFFDIO_WAKE: {
    door: 'ioctl(UFFDIO_WAKE)',
    why: 'fs/userfaultfd.c: userfaultfd_wake, the system call itself',
    maps: 'yes',
  },
  uffd_read: {
    door: "read(2) of one struct uffd_msg from the uffd (O_NONBLOCK set around it for nonblock); a blocking read may start while another thread's step waits in handle_userfault",
    why: "fs/userfaultfd.c: userfaultfd_read -> userfaultfd_ctx_read; it returns only once the fault is queued, which holds the host to the model's order",
    maps: 'yes',
  },
  uffd_close: {
    door: 'close(2) of the uffd',
    why: 'fs/userfaultfd.c: userfaultfd_release (the last reference: the program holds no other)',
    maps: 'yes',
  },
  migrate_pages: {
    door: 'move_pages(2) of every page of the range to another NUMA node',
    why: 'mm/migrate.c: do_pages_move -> migrate_pages; a host with one node cannot migrate (the program skips and says so)',
    maps: 'yes',
  },
  offline_pages: {
    door: 'none',
    why: 'offlining a memory block (sysfs) takes memory away from the whole host, not only the scenario',
    maps: 'never',
  },
  cma_alloc: {
    door: 'none',
    why: "the host has no CMA area shaped like the model's, and no user door allocates from one",
    maps: 'never',
  },
  writeback: {
    door: 'sync_file_range(2) with WAIT_BEFORE | WRITE | WAIT_AFTER over the whole file',
    why: '__filemap_fdatawrite_range -> do_writepages',
    maps: 'yes',
  },
  reclaim: {
    door: 'none',
    why: 'global reclaim has no door limited to the scenario; MADV_PAGEOUT (a madvise step) is the per-range door to shrink_folio_list',
    maps: 'never',
  },
  khugepaged: {
    door: 'none',
    why: 'khugepaged runs on its own timer; MADV_COLLAPSE (a madvise step) collapses synchronously through another entry',
    maps: 'never',
  },
  mmap_read_lock: {
    door: 'none',
    why: 'user space cannot hold mmap_lock between system calls',
    maps: 'never',
  },
  mmap_read_unlock: {
    door: 'none',
    why: 'user space cannot hold mmap_lock between system calls',
    maps: 'never',
  },
  mmap_write_lock: {
    door: 'none',
    why: 'user space cannot hold mmap_lock between system calls',
    maps: 'never',
  },
  mmap_write_unlock: {
    door: 'none',
    why: 'user space cannot hold mmap_lock between system calls',
    maps: 'never',
  },
  signal: {
    door: 'nothing: the order of the steps already holds it',
    why: 'the program runs the steps in the order gupsim ran them',
    maps: 'yes',
  },
  wait: {
    door: 'nothing: the order of the steps already holds it',
    why: 'the program runs the steps in the order gupsim ran them',
    maps: 'yes',
  },
  repeat: { door: 'a loop (or the body unrolled)', why: 'no kernel counterpart', maps: 'yes' },
};
