/*
 * cow_fork.c [small|thp] - copy-on-write after fork(), on a 4 KiB page or a PMD-mapped THP.
 *
 * Parent and child share the region after fork (write-protected); each write fault gives the
 * writer its own copy (mm/memory.c: do_wp_page -> wp_page_copy; for a PMD-mapped THP,
 * mm/huge_memory.c: do_huge_pmd_wp_page splits the PMD and falls back to the PTE path).
 *
 *   parent            child
 *   fill 'A'
 *   fork  ----------> (step 1)
 *                     write 'C' to page 0
 *   (step 2) <------
 *   page 0 still 'A'?
 *   write 'P' to page 2
 *   (step 3) ------>
 *                     page 2 still 'A'? page 0 still 'C'?
 *   (step 4) <------
 *
 * As root, pagemap PFNs also show which pages are shared before and after the writes.
 */
#include "harness.h"

#include <sys/wait.h>

struct shared {
	struct turn t;
	char child_page0, child_page2;
};

static long anon_huge_kib(void)
{
	return proc_kib("/proc/self/smaps_rollup", "AnonHugePages");
}

int main(int argc, char **argv)
{
	int thp = argc > 1 && !strcmp(argv[1], "thp");
	char *p = anon_aligned(HPAGE_2M, HPAGE_2M);
	struct shared *s = (struct shared *)turn_new();

	if (!p)
		tap_bail("mmap: %s", strerror(errno));
	if (madvise(p, HPAGE_2M, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE))
		tap_skip_all("madvise: %s", strerror(errno));
	memset(p, 'A', HPAGE_2M);
	if (thp && anon_huge_kib() < 2048)
		tap_skip_all("THP not used for the region (AnonHugePages %ld kB)", anon_huge_kib());

	int pfns = pagemap_pfn(0, p) != 0; /* PFNs are visible (root) */
	tap_plan(3 + (pfns ? 2 : 0));
	pid_t pid = fork();

	if (pid < 0)
		tap_bail("fork: %s", strerror(errno));
	if (pid == 0) {
		turn_wait(&s->t, 1);
		p[0] = 'C';
		turn_set(&s->t, 2);
		turn_wait(&s->t, 3);
		s->child_page0 = p[0];
		s->child_page2 = p[2 * PAGE_4K];
		turn_set(&s->t, 4);
		_exit(0);
	}
	int shared_at_fork = same_page(0, p, pid, p);
	long kib_fork = anon_huge_kib(), kib_child_write, kib_parent_write;

	tap_diag("after fork: parent AnonHugePages %ld kB", kib_fork);
	turn_set(&s->t, 1);
	turn_wait(&s->t, 2);

	tap_ok(p[0] == 'A', "the child's write to page 0 does not show in the parent");
	int shared0 = same_page(0, p, pid, p), shared1 = same_page(0, p + PAGE_4K, pid, p + PAGE_4K);
	kib_child_write = anon_huge_kib();
	tap_diag("after the child's write: parent AnonHugePages %ld kB; page 1 shared: %d",
		 kib_child_write, shared1);
	p[2 * PAGE_4K] = 'P';
	kib_parent_write = anon_huge_kib();
	tap_diag("after the parent's write: parent AnonHugePages %ld kB; page 1 shared: %d",
		 kib_parent_write, same_page(0, p + PAGE_4K, pid, p + PAGE_4K));
	turn_set(&s->t, 3);
	turn_wait(&s->t, 4);
	tap_ok(s->child_page2 == 'A', "the parent's write to page 2 does not show in the child");
	tap_ok(s->child_page0 == 'C', "the child keeps its own write");
	if (pfns) {
		tap_ok(shared_at_fork == 1, "right after fork parent and child map the same page");
		tap_ok(shared0 == 0, "the child's write fault gave it a copy of page 0");
	}
	waitpid(pid, NULL, 0);
	json_begin();
	json_str("mode", thp ? "thp" : "small");
	json_i64("shared_at_fork", shared_at_fork);
	json_i64("page1_shared_after_child_write", shared1);
	json_i64("parent_thp_kib_after_fork", kib_fork);
	json_i64("parent_thp_kib_after_child_write", kib_child_write);
	json_i64("parent_thp_kib_after_parent_write", kib_parent_write);
	json_end();
	return tap_done();
}
