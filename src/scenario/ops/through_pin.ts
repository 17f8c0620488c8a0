/** Accesses through pinned pages: a kernel mapping (kmap) or a device (DMA). */
import { required, t } from '../args.js';
import { defineOperation, type BindSpec } from '../operation.js';

const CONTENTS: BindSpec = {
  kind: 'value',
  doc: 'the contents: one value if every page holds it, else the list per page',
};
const pages = () => required(t.ref('pages'), 'a name bound by a GUP step');
const value = () => required(t.int(0, 255), 'the byte written');

export const kernel_read = defineOperation({
  name: 'kernel_read',
  group: 'through a pin',
  kernel: 'include/linux/highmem.h: kmap_local_page',
  doc: 'The kernel reads the pages through its own mapping.',
  args: { pages: pages() },
  binds: CONTENTS,
  example: 'kernel_read: { as: v, pages: p }',
});

export const kernel_write = defineOperation({
  name: 'kernel_write',
  group: 'through a pin',
  kernel: 'include/linux/highmem.h: kmap_local_page',
  doc: 'The kernel writes `value` to the pages through its own mapping.',
  args: { pages: pages(), value: value() },
  example: 'kernel_write: { pages: p, value: 0x22 }',
});

export const dma_read = defineOperation({
  name: 'dma_read',
  group: 'through a pin',
  kernel: 'gupsim: a device reading memory by DMA',
  doc: 'A device reads the pages (DMA to the device).',
  args: { pages: pages() },
  binds: CONTENTS,
  example: 'dma_read: { as: v, pages: p }',
});

export const dma_write = defineOperation({
  name: 'dma_write',
  group: 'through a pin',
  kernel: 'gupsim: a device writing memory by DMA',
  doc: 'A device writes `value` to the pages (DMA from the device).',
  args: { pages: pages(), value: value() },
  example: 'dma_write: { pages: p, value: 0x22 }',
});

export const throughPinOps = [kernel_read, kernel_write, dma_read, dma_write];
