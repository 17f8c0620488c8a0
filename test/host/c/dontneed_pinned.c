/*
 * dontneed_pinned.c - MADV_DONTNEED on a range registered as an io_uring fixed buffer.
 *
 * MADV_DONTNEED zaps the PTEs (mm/madvise.c: madvise_dontneed_single_vma -> zap_page_range_single)
 * whether or not the pages are pinned; the pin only keeps the old folios alive. The mapping then
 * faults in the shared zero page on read and fresh pages on write (mm/memory.c:
 * do_anonymous_page), while io_uring still reads and writes the old, now unmapped, pages.
 *
 *   fill 'A', register (pin), MADV_DONTNEED
 *   mapping reads zeros?              WRITE_FIXED to a memfd still writes 'A'?
 *   fill 'B' through the mapping      WRITE_FIXED still writes 'A'?
 *   READ_FIXED 'Z' from the memfd     the mapping still reads 'B'?
 */
#include "harness.h"
#include "uring.h"

#define LEN (4 * PAGE_4K)

static char back[LEN];

int main(void)
{
	char *p = anon_aligned(LEN, PAGE_4K);
	int err, fd = memfd_create("dontneed_pinned", 0);
	struct uring u;

	if (!p || fd < 0)
		tap_bail("mmap/memfd_create: %s", strerror(errno));
	madvise(p, LEN, MADV_NOHUGEPAGE);
	memset(p, 'A', LEN);
	if ((err = uring_init(&u, 8)))
		tap_skip_all("io_uring_setup: %s", strerror(-err));
	struct iovec iov = { p, LEN };
	if ((err = uring_register_buffers(&u, &iov, 1)))
		tap_skip_all("IORING_REGISTER_BUFFERS: %s", strerror(-err));
	uint64_t pfn = pagemap_pfn(0, p);

	tap_plan(6 + (pfn ? 1 : 0));
	tap_ok(madvise(p, LEN, MADV_DONTNEED) == 0, "MADV_DONTNEED on a pinned range succeeds");
	tap_ok(all_bytes(p, LEN, 0), "the mapping then reads zeros (fresh zero page)");
	if (pfn) {
		uint64_t now = pagemap_pfn(0, p);
		tap_ok(now != pfn && kpf(kpageflags(now), KPF_ZERO_PAGE),
		       "it maps the shared zero page, not the pinned page");
	}
	tap_ok(uring_rw_fixed(&u, IORING_OP_WRITE_FIXED, fd, p, LEN, 0, 0) == (int)LEN &&
		       pread(fd, back, LEN, 0) == (ssize_t)LEN && all_bytes(back, LEN, 'A'),
	       "WRITE_FIXED still sends the old data 'A': the pinned pages were kept");
	memset(p, 'B', LEN);
	tap_ok(uring_rw_fixed(&u, IORING_OP_WRITE_FIXED, fd, p, LEN, 0, 0) == (int)LEN &&
		       pread(fd, back, LEN, 0) == (ssize_t)LEN && all_bytes(back, LEN, 'A'),
	       "writes through the mapping ('B') go to new pages, not to the pinned ones");
	memset(back, 'Z', LEN);
	tap_ok(pwrite(fd, back, LEN, 0) == (ssize_t)LEN &&
		       uring_rw_fixed(&u, IORING_OP_READ_FIXED, fd, p, LEN, 0, 0) == (int)LEN,
	       "READ_FIXED into the buffer succeeds");
	tap_ok(all_bytes(p, LEN, 'B'), "... but lands in the pinned pages: the mapping still reads 'B'");
	return tap_done();
}
