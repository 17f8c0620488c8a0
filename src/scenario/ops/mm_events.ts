/** Memory-management events that move, free or collapse pages behind a process's back. */
import { optional, required, t, withDefault } from '../args.js';
import { defineOperation } from '../operation.js';

export const migrate_pages = defineOperation({
  name: 'migrate_pages',
  group: 'mm events',
  kernel: 'mm/migrate.c: migrate_pages',
  doc: 'Try to migrate the folios mapped in a range (as compaction or NUMA balancing would).',
  args: { addr: required(t.address(), 'start of the range'), length: required(t.size(), 'bytes') },
  binds: {
    kind: 'value',
    doc: 'how many folios of the pageblocks stayed (skipped or failed); NAME.blocked says why',
  },
  example: 'migrate_pages: { addr: buf, length: 4KiB }',
});

export const offline_pages = defineOperation({
  name: 'offline_pages',
  group: 'mm events',
  kernel: 'mm/memory_hotplug.c: offline_pages',
  doc: 'Offline the memory blocks holding the pages mapped in a range, migrating what they hold.',
  args: {
    addr: required(t.address(), 'start of the range'),
    length: required(t.size(), 'bytes'),
    passes: withDefault(
      t.int(1, 64),
      'migration passes before the writer is interrupted (the kernel retries until a signal)',
      4,
      '4',
    ),
  },
  binds: { kind: 'value', doc: '0 or the errno (-EINTR, -EBUSY); NAME.blocked names the holders' },
  example: 'offline_pages: { addr: buf, length: 2MiB }',
});

export const cma_alloc = defineOperation({
  name: 'cma_alloc',
  group: 'mm events',
  kernel: 'mm/cma.c: cma_alloc',
  doc: 'Allocate contiguous pages from the CMA area, migrating what is there.',
  args: {
    count: required(t.int(1), 'number of pages'),
    align: withDefault(t.int(0, 18), 'alignment order', 0, '0'),
  },
  binds: {
    kind: 'value',
    doc: 'whether the allocation succeeded (1) or not (0); NAME.ret is 0 or the errno, NAME.blocked names the holders',
  },
  example: 'cma_alloc: { as: c, count: 512 }',
});

export const writeback = defineOperation({
  name: 'writeback',
  group: 'mm events',
  kernel: 'mm/page-writeback.c: do_writepages',
  doc: "Write back a file's dirty pages (folio_clear_dirty_for_io, then I/O).",
  args: { fd: required(t.ref('fd'), 'the file') },
  example: 'writeback: { fd: f }',
});

export const reclaim = defineOperation({
  name: 'reclaim',
  group: 'mm events',
  kernel: 'mm/vmscan.c: shrink_folio_list',
  doc: 'Run memory reclaim: unmap, swap out or drop what can be reclaimed.',
  args: { nr_pages: optional(t.int(1), 'pages to reclaim; default: everything reclaimable') },
  binds: { kind: 'value', doc: 'the number of pages reclaimed' },
  example: 'reclaim: {}',
});

export const khugepaged = defineOperation({
  name: 'khugepaged',
  group: 'mm events',
  kernel: 'mm/khugepaged.c: khugepaged_scan_mm_slot',
  doc: 'Run one khugepaged pass over the process (or a range), collapsing into THPs.',
  args: {
    addr: optional(t.address(), 'start of the range; default: the whole address space'),
    length: optional(t.size(), 'bytes'),
  },
  binds: { kind: 'value', doc: 'the number of THPs made' },
  example: 'khugepaged: { addr: buf, length: 2MiB }',
});

export const mmEventOps = [migrate_pages, offline_pages, cma_alloc, writeback, reclaim, khugepaged];
