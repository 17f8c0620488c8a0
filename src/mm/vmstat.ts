/**
 * vmstat counters: the subset of enum zone_stat_item and enum node_stat_item
 * (include/linux/mmzone.h) that the model maintains. The model has one node (node 0), so node
 * counters live in one array and "global" equals "node 0". Indices are the model's own; the
 * names are the kernel's.
 */

/** include/linux/mmzone.h: enum zone_stat_item (subset). @fidelity simplified */
export const NR_FREE_PAGES = 0;
export const NR_FREE_CMA_PAGES = 1;
export const NR_VM_ZONE_STAT_ITEMS = 2;

/** include/linux/mmzone.h: enum node_stat_item (subset). @fidelity simplified */
export const NR_ANON_MAPPED = 0;
export const NR_FILE_MAPPED = 1;
export const NR_FILE_PAGES = 2;
export const NR_SHMEM = 3;
export const NR_ANON_THPS = 4;
export const NR_ISOLATED_ANON = 5;
export const NR_ISOLATED_FILE = 6;
export const NR_FOLL_PIN_ACQUIRED = 7;
export const NR_FOLL_PIN_RELEASED = 8;
export const NR_VM_NODE_STAT_ITEMS = 9;

/** Names as /proc/vmstat prints them, indexed by node_stat_item. */
export const node_stat_names: readonly string[] = [
  'nr_anon_pages',
  'nr_mapped',
  'nr_file_pages',
  'nr_shmem',
  'nr_anon_transparent_hugepages',
  'nr_isolated_anon',
  'nr_isolated_file',
  'nr_foll_pin_acquired',
  'nr_foll_pin_released',
];

/** Names as /proc/vmstat prints them, indexed by zone_stat_item. */
export const zone_stat_names: readonly string[] = ['nr_free_pages', 'nr_free_cma'];

/** struct pglist_data.vm_stat for the single node. @fidelity simplified */
export class NodeVmStat {
  readonly vm_stat = new Float64Array(NR_VM_NODE_STAT_ITEMS);
}

/** include/linux/vmstat.h: mod_node_page_state(pgdat, item, delta). @fidelity simplified */
export function mod_node_page_state(stat: NodeVmStat, item: number, delta: number): void {
  stat.vm_stat[item] += delta;
}

/** include/linux/vmstat.h: node_page_state(pgdat, item). @fidelity simplified */
export function node_page_state(stat: NodeVmStat, item: number): number {
  return stat.vm_stat[item];
}
