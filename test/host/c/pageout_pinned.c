/*
 * pageout_pinned.c - MADV_PAGEOUT of an unpinned and of a pinned anonymous page.
 *
 * mm/madvise.c: madvise_pageout -> mm/vmscan.c: reclaim_pages -> shrink_folio_list. An anon
 * folio needs a swap slot to be reclaimed (folio_alloc_swap); a maybe-DMA-pinned one gets none
 * (folio_maybe_dma_pinned), so it stays mapped. The pin here is an io_uring fixed buffer
 * (FOLL_WRITE | FOLL_LONGTERM).
 *
 *   page 0 'A': MADV_PAGEOUT  -> swapped out when swap is on (PM_SWAP), else still present
 *   page 1 'B': pinned, MADV_PAGEOUT -> still present, same pfn
 *   both read back their data
 */
#include "harness.h"
#include "uring.h"

static int swap_on(void)
{
	char line[256];
	int n = 0;
	FILE *f = fopen("/proc/swaps", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n > 1; /* a header line, then one line per area */
}

int main(void)
{
	char *p = anon_aligned(2 * PAGE_4K, PAGE_4K);
	char *q;
	struct uring u;
	int err, swap = swap_on();

	if (!p)
		tap_bail("mmap: %s", strerror(errno));
	q = p + PAGE_4K;
	madvise(p, 2 * PAGE_4K, MADV_NOHUGEPAGE);
	memset(p, 'A', PAGE_4K);
	memset(q, 'B', PAGE_4K);
	if ((err = uring_init(&u, 8)))
		tap_skip_all("io_uring_setup: %s", strerror(-err));
	struct iovec iov = { q, PAGE_4K };
	if ((err = uring_register_buffers(&u, &iov, 1)))
		tap_skip_all("IORING_REGISTER_BUFFERS: %s", strerror(-err));
	uint64_t pfn = pagemap_pfn(0, q);

	tap_plan(5);
	tap_diag("swap is %s", swap ? "on" : "off");
	tap_ok(madvise(p, 2 * PAGE_4K, MADV_PAGEOUT) == 0, "MADV_PAGEOUT succeeds");
	uint64_t e0 = pagemap_entry(0, p), e1 = pagemap_entry(0, q);
	if (swap)
		tap_ok((e0 & PM_SWAP) != 0, "the unpinned page went to swap");
	else
		tap_ok((e0 & PM_PRESENT) != 0, "without swap the unpinned page stays (no swap slot)");
	tap_ok((e1 & PM_PRESENT) != 0 && (!pfn || pagemap_pfn(0, q) == pfn),
	       "the pinned page stays mapped: no swap slot for a maybe-pinned folio%s",
	       swap ? "" : " (not telling without swap)");
	tap_ok(all_bytes(p, PAGE_4K, 'A'), "the unpinned page reads back 'A'");
	tap_ok(all_bytes(q, PAGE_4K, 'B'), "the pinned page reads back 'B'");
	return tap_done();
}
