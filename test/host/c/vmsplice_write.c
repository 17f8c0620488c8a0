/*
 * vmsplice_write.c - vmsplice() of an anonymous page into a pipe, then the page is written.
 *
 * vmsplice without SPLICE_F_GIFT takes page references (fs/splice.c: vmsplice_to_pipe ->
 * iter_to_pipe -> iov_iter_get_pages2: FOLL_GET, not FOLL_PIN); the pipe reader copies from the
 * page when it reads.
 *
 * 1. Same process: the page is exclusive and mapped writable, so a later write changes the very
 *    page the pipe holds: the reader sees the new data.
 * 2. After fork (the CVE-2020-29374 shape): the child vmsplices the shared page and exits; the
 *    parent's write then faults on a page that is not exclusive (fork cleared PageAnonExclusive)
 *    and whose refcount the pipe raised, so it is copied (mm/memory.c: do_wp_page ->
 *    wp_can_reuse_anon_folio says no): the reader sees the old data, the child's snapshot.
 */
#include "harness.h"

#include <sys/uio.h>
#include <sys/wait.h>

static char got[PAGE_4K];

static int splice_page(int pipe_w, char *page)
{
	struct iovec iov = { page, PAGE_4K };

	return (int)vmsplice(pipe_w, &iov, 1, 0);
}

static int read_page(int pipe_r)
{
	return read(pipe_r, got, PAGE_4K) == (ssize_t)PAGE_4K;
}

int main(void)
{
	char *p = anon_aligned(PAGE_4K, PAGE_4K), *q = anon_aligned(PAGE_4K, PAGE_4K);
	int fds[2], fds2[2];

	if (!p || !q || pipe(fds) || pipe(fds2))
		tap_bail("setup: %s", strerror(errno));
	tap_plan(5);

	/* 1: same process */
	memset(p, 'A', PAGE_4K);
	tap_ok(splice_page(fds[1], p) == (int)PAGE_4K, "vmsplice of a page succeeds");
	memset(p, 'B', PAGE_4K);
	tap_ok(read_page(fds[0]) && all_bytes(got, PAGE_4K, 'B'),
	       "same process: the pipe reader sees the write made after vmsplice");

	/* 2: the child splices the page it shares with the parent, then exits */
	memset(q, 'A', PAGE_4K);
	uint64_t pfn = pagemap_pfn(0, q);
	pid_t pid = fork();
	if (pid < 0)
		tap_bail("fork: %s", strerror(errno));
	if (pid == 0)
		_exit(splice_page(fds2[1], q) == (int)PAGE_4K ? 0 : 1);
	int status = -1;
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child's vmsplice succeeds");
	memset(q, 'B', PAGE_4K);
	tap_ok(read_page(fds2[0]) && all_bytes(got, PAGE_4K, 'A'),
	       "after fork: the reader sees the old data; the parent's write went to a copy");
	tap_ok(!pfn || pagemap_pfn(0, q) != pfn,
	       pfn ? "the parent's write fault replaced the page (new PFN)"
		   : "the parent's write fault replaced the page (PFN hidden: not checked)");
	return tap_done();
}
