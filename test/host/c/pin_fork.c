/*
 * pin_fork.c [small|thp] - a R/W longterm pin taken before fork() stays coherent with the parent.
 *
 * IORING_REGISTER_BUFFERS pins the buffer (pin_user_pages, FOLL_WRITE | FOLL_LONGTERM). At fork
 * a pinned anonymous page is not shared with the child but copied for it at once
 * (mm/memory.c: copy_present_ptes -> copy_present_page, because folio_maybe_dma_pinned; a
 * PMD-mapped THP is first split, mm/huge_memory.c: copy_huge_pmd returns -EAGAIN). The parent
 * keeps the pinned pages mapped writable, so its later writes reach the device side.
 *
 *   parent                                child
 *   fill 'A', register (pin), fork ---->  (step 1)
 *                                         fill 'C', exit
 *   wait; buffer still 'A'?
 *   fill 'P'; WRITE_FIXED the buffer to a memfd; the file reads 'P'?
 */
#include "harness.h"
#include "uring.h"

#include <sys/wait.h>

static int write_fixed_reads(struct uring *u, int fd, char *p, size_t len, char c)
{
	static char back[HPAGE_2M];
	int res = uring_rw_fixed(u, IORING_OP_WRITE_FIXED, fd, p, (unsigned)len, 0, 0);

	if (res != (int)len) {
		tap_diag("WRITE_FIXED returned %d", res);
		return 0;
	}
	return pread(fd, back, len, 0) == (ssize_t)len && all_bytes(back, len, (unsigned char)c);
}

int main(int argc, char **argv)
{
	int thp = argc > 1 && !strcmp(argv[1], "thp");
	size_t len = thp ? HPAGE_2M : 4 * PAGE_4K;
	char *p = anon_aligned(len, HPAGE_2M);
	struct turn *t = turn_new();
	struct uring u;
	int err, fd = memfd_create("pin_fork", 0);

	if (!p || fd < 0)
		tap_bail("mmap/memfd_create: %s", strerror(errno));
	if (madvise(p, len, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE))
		tap_skip_all("madvise: %s", strerror(errno));
	memset(p, 'A', len);
	if (thp && proc_kib("/proc/self/smaps_rollup", "AnonHugePages") < 2048)
		tap_skip_all("THP not used for the region");
	if ((err = uring_init(&u, 8)))
		tap_skip_all("io_uring_setup: %s", strerror(-err));
	struct iovec iov = { p, len };
	if ((err = uring_register_buffers(&u, &iov, 1)))
		tap_skip_all("IORING_REGISTER_BUFFERS: %s", strerror(-err));

	uint64_t pfn = pagemap_pfn(0, p);
	tap_plan(3 + (pfn ? 2 : 0));
	pid_t pid = fork();

	if (pid < 0)
		tap_bail("fork: %s", strerror(errno));
	if (pid == 0) {
		turn_wait(t, 1);
		memset(p, 'C', len);
		_exit(0);
	}
	int shared_at_fork = same_page(0, p, pid, p);
	long kib_fork = proc_kib("/proc/self/smaps_rollup", "AnonHugePages");

	tap_diag("after fork: parent AnonHugePages %ld kB", kib_fork);
	turn_set(t, 1);
	waitpid(pid, NULL, 0);

	tap_ok(all_bytes(p, len, 'A'), "the child's writes do not reach the parent's buffer");
	memset(p, 'P', len);
	tap_ok(write_fixed_reads(&u, fd, p, len, 'P'),
	       "WRITE_FIXED of the pinned buffer carries the parent's post-fork writes");
	tap_ok(write_fixed_reads(&u, fd, p + len - PAGE_4K, PAGE_4K, 'P'),
	       "... also for the buffer's last 4 KiB page");
	if (pfn) {
		tap_ok(shared_at_fork == 0, "the child got its own copy at fork, not a shared page");
		tap_ok(pagemap_pfn(0, p) == pfn, "the parent still maps the pinned page");
	}
	json_begin();
	json_str("mode", thp ? "thp" : "small");
	json_i64("shared_at_fork", shared_at_fork);
	json_i64("parent_thp_kib_after_fork", kib_fork);
	json_end();
	return tap_done();
}
