/** Kernel consumers of GUP: vmsplice and pipes, io_uring fixed buffers, remote writes. */
import { optional, required, t, withDefault } from '../args.js';
import { defineOperation } from '../operation.js';

const buffers = () => required(t.ref('buffers'), 'a name bound by io_uring_register_buffers');
const pid = () => optional(t.ref('process'), 'the target process; default: the acting process');

export const vmsplice = defineOperation({
  name: 'vmsplice',
  group: 'consumers',
  kernel: 'fs/splice.c: vmsplice_to_pipe',
  doc: 'Splice user pages into a new pipe, which holds references to them.',
  args: { addr: required(t.address(), 'start of the range'), length: required(t.size(), 'bytes') },
  binds: { kind: 'pipe', doc: 'the pipe holding the page references' },
  example: 'vmsplice: { as: pipe, addr: buf, length: 4KiB }',
});

export const pipe_read = defineOperation({
  name: 'pipe_read',
  group: 'consumers',
  kernel: 'fs/pipe.c: pipe_read',
  doc: 'Read a pipe filled by vmsplice, releasing its page references.',
  args: { pipe: required(t.ref('pipe'), 'a name bound by vmsplice') },
  binds: {
    kind: 'value',
    doc: 'the contents: one value if every page holds it, else the list per page',
  },
  example: 'pipe_read: { as: v, pipe: pipe }',
});

export const io_uring_register_buffers = defineOperation({
  name: 'io_uring_register_buffers',
  group: 'consumers',
  kernel: 'io_uring/rsrc.c: io_sqe_buffers_register',
  doc: 'Register a fixed buffer: its pages are pinned with FOLL_LONGTERM.',
  args: { addr: required(t.address(), 'start of the buffer'), length: required(t.size(), 'bytes') },
  binds: { kind: 'buffers', doc: 'the registered buffer' },
  example: 'io_uring_register_buffers: { as: fixed, addr: buf, length: 2MiB }',
});

export const io_uring_write_fixed = defineOperation({
  name: 'io_uring_write_fixed',
  group: 'consumers',
  kernel: 'io_uring/rw.c: io_write',
  doc: 'IORING_OP_WRITE_FIXED: write from a registered buffer to a file.',
  args: {
    buffers: buffers(),
    fd: required(t.ref('fd'), 'the file written'),
    offset: withDefault(t.size(), 'file offset', 0, '0'),
    length: required(t.size(), 'bytes'),
    addr: optional(t.address(), 'where in the buffer to start; default: its start'),
  },
  example: 'io_uring_write_fixed: { buffers: fixed, fd: f, length: 4KiB }',
});

export const io_uring_unregister_buffers = defineOperation({
  name: 'io_uring_unregister_buffers',
  group: 'consumers',
  kernel: 'io_uring/rsrc.c: io_sqe_buffers_unregister',
  doc: 'Unregister a fixed buffer, unpinning its pages.',
  args: { buffers: buffers() },
  example: 'io_uring_unregister_buffers: { buffers: fixed }',
});

export const process_vm_writev = defineOperation({
  name: 'process_vm_writev',
  group: 'consumers',
  kernel: 'mm/process_vm_access.c: process_vm_rw_core',
  doc: 'Copy from local memory to another process through pin_user_pages_remote.',
  args: {
    pid: pid(),
    local: required(t.address(), 'source address in the acting process'),
    remote: required(t.address(), 'destination address in the target'),
    length: required(t.size(), 'bytes'),
  },
  example: 'process_vm_writev: { pid: child, local: src, remote: buf, length: 4KiB }',
});

export const io_uring_read_fixed = defineOperation({
  name: 'io_uring_read_fixed',
  group: 'consumers',
  kernel: 'io_uring/rw.c: io_read',
  doc: 'IORING_OP_READ_FIXED: read a file into a registered buffer.',
  args: {
    buffers: buffers(),
    fd: required(t.ref('fd'), 'the file read'),
    offset: withDefault(t.size(), 'file offset', 0, '0'),
    length: required(t.size(), 'bytes'),
    addr: optional(t.address(), 'where in the buffer to start; default: its start'),
  },
  example: 'io_uring_read_fixed: { buffers: fixed, fd: f, length: 4KiB }',
});

export const process_vm_readv = defineOperation({
  name: 'process_vm_readv',
  group: 'consumers',
  kernel: 'mm/process_vm_access.c: process_vm_rw_core',
  doc: 'Copy from another process to local memory through pin_user_pages_remote.',
  args: {
    pid: pid(),
    local: required(t.address(), 'destination address in the acting process'),
    remote: required(t.address(), 'source address in the target'),
    length: required(t.size(), 'bytes'),
  },
  example: 'process_vm_readv: { pid: child, local: buf, remote: src, length: 4KiB }',
});

const container = () =>
  optional(
    t.ref('process'),
    "the process whose VFIO container is used; default: the acting process's",
  );

export const vfio_iommu_type1_map_dma = defineOperation({
  name: 'vfio_iommu_type1_map_dma',
  group: 'consumers',
  kernel: 'drivers/vfio/vfio_iommu_type1.c: vfio_dma_do_map',
  doc: "VFIO_IOMMU_MAP_DMA: map the acting process's memory at an IOVA of its VFIO container; with an IOMMU domain every page is pinned long-term now.",
  args: {
    vaddr: required(t.address(), 'start of the user memory'),
    iova: withDefault(t.size(), 'the device address', 0, '0'),
    size: required(t.size(), 'bytes'),
    read: withDefault(t.bool(), 'VFIO_DMA_MAP_FLAG_READ: the device may read', true, 'true'),
    write: withDefault(t.bool(), 'VFIO_DMA_MAP_FLAG_WRITE: the device may write', true, 'true'),
    domain: withDefault(
      t.bool(),
      'the container has an IOMMU domain (a physical device); false: emulated (mdev) devices only, which pin on demand with vfio_pin_pages',
      true,
      'true',
    ),
  },
  example: 'vfio_iommu_type1_map_dma: { vaddr: buf, iova: 0, size: 2MiB }',
});

export const vfio_iommu_type1_unmap_dma = defineOperation({
  name: 'vfio_iommu_type1_unmap_dma',
  group: 'consumers',
  kernel: 'drivers/vfio/vfio_iommu_type1.c: vfio_dma_do_unmap',
  doc: 'VFIO_IOMMU_UNMAP_DMA: unmap and unpin every mapping in the IOVA range.',
  args: {
    iova: withDefault(t.size(), 'start of the IOVA range', 0, '0'),
    size: required(t.size(), 'bytes'),
    container: container(),
  },
  binds: { kind: 'value', doc: 'the bytes unmapped (NAME.ret: the return value)' },
  example: 'vfio_iommu_type1_unmap_dma: { iova: 0, size: 2MiB }',
});

export const vfio_pin_pages = defineOperation({
  name: 'vfio_pin_pages',
  group: 'consumers',
  kernel: 'drivers/vfio/vfio_iommu_type1.c: vfio_iommu_type1_pin_pages',
  doc: "An emulated-IOMMU (mdev) device pins pages of a container's mapping by IOVA, from the acting thread (another process, or none of the mapping's); released by vfio_iommu_type1_unmap_dma.",
  args: {
    iova: withDefault(t.size(), 'first IOVA', 0, '0'),
    npage: required(t.int(1, 512), 'pages'),
    write: withDefault(t.bool(), 'IOMMU_WRITE as well as IOMMU_READ', true, 'true'),
    container: container(),
  },
  binds: { kind: 'pages', doc: 'the pages pinned (NAME.ret: npage or a negative errno)' },
  example: 'vfio_pin_pages: { as: vp, container: child, iova: 0, npage: 1 }',
});

export const ib_umem_get = defineOperation({
  name: 'ib_umem_get',
  group: 'consumers',
  kernel: 'drivers/infiniband/core/umem.c: ib_umem_get',
  doc: 'Register an RDMA memory region (ibv_reg_mr): pin the range long-term and charge it to pinned_vm.',
  args: {
    addr: required(t.address(), 'start of the region'),
    length: required(t.size(), 'bytes'),
    writable: withDefault(
      t.bool(),
      'IB_ACCESS_LOCAL_WRITE: the device may write (FOLL_WRITE)',
      true,
      'true',
    ),
  },
  binds: { kind: 'pages', doc: 'the umem: its pinned pages (NAME.ret: 0 or a negative errno)' },
  example: 'ib_umem_get: { as: mr, addr: buf, length: 8KiB }',
});

export const ib_umem_release = defineOperation({
  name: 'ib_umem_release',
  group: 'consumers',
  kernel: 'drivers/infiniband/core/umem.c: ib_umem_release',
  doc: 'Deregister an RDMA memory region: unpin (dirtying when writable) and uncharge.',
  args: { umem: required(t.ref('pages'), 'a name bound by ib_umem_get') },
  example: 'ib_umem_release: { umem: mr }',
});

export const consumerOps = [
  vmsplice,
  pipe_read,
  io_uring_register_buffers,
  io_uring_write_fixed,
  io_uring_unregister_buffers,
  process_vm_writev,
  io_uring_read_fixed,
  process_vm_readv,
  vfio_iommu_type1_map_dma,
  vfio_iommu_type1_unmap_dma,
  vfio_pin_pages,
  ib_umem_get,
  ib_umem_release,
];
