/*
 * uffd_gup.c - GUP on a userfaultfd hole: block with `locked`, -EFAULT without.
 *
 * fs/userfaultfd.c: handle_userfault may only wait for the handler when the fault may drop
 * mmap_lock (FAULT_FLAG_ALLOW_RETRY, which GUP passes for FOLL_UNLOCKABLE callers).
 *
 *   process_vm_readv of a MISSING page: mm/process_vm_access.c pins with
 *   pin_user_pages_remote(..., &locked): the fault waits for our handler thread's UFFDIO_COPY,
 *   and the read returns the copied data.
 *   pread of /proc/self/mem at another MISSING page: mem_rw -> access_remote_vm ->
 *   get_user_pages_remote(..., NULL): no ALLOW_RETRY, VM_FAULT_SIGBUS, the read fails with EIO
 *   at once, and no message is queued.
 */
#include "harness.h"
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

static int uffd;
static char *area;

static void *handler(void *arg)
{
	struct uffd_msg msg;
	static char page[PAGE_4K];
	(void)arg;
	if (read(uffd, &msg, sizeof(msg)) != (ssize_t)sizeof(msg))
		return (void *)1;
	memset(page, 'X', sizeof(page));
	struct uffdio_copy copy = {
		.dst = msg.arg.pagefault.address & ~(PAGE_4K - 1),
		.src = (unsigned long)page,
		.len = PAGE_4K,
	};
	return ioctl(uffd, UFFDIO_COPY, &copy) == 0 ? NULL : (void *)2;
}

int main(void)
{
	uffd = syscall(SYS_userfaultfd, O_CLOEXEC);
	if (uffd < 0)
		tap_skip_all("userfaultfd: %s", strerror(errno));
	struct uffdio_api api = { .api = UFFD_API };
	if (ioctl(uffd, UFFDIO_API, &api))
		tap_skip_all("UFFDIO_API: %s", strerror(errno));
	area = anon_aligned(2 * PAGE_4K, PAGE_4K);
	if (!area)
		tap_bail("mmap: %s", strerror(errno));
	madvise(area, 2 * PAGE_4K, MADV_NOHUGEPAGE);
	struct uffdio_register reg = {
		.range = { (unsigned long)area, 2 * PAGE_4K },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	if (ioctl(uffd, UFFDIO_REGISTER, &reg))
		tap_skip_all("UFFDIO_REGISTER: %s", strerror(errno));

	tap_plan(4);
	pthread_t t;
	pthread_create(&t, NULL, handler, NULL);
	char buf[PAGE_4K];
	struct iovec local = { buf, sizeof(buf) }, remote = { area, PAGE_4K };
	ssize_t n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	void *hret;
	pthread_join(t, &hret);
	tap_ok(hret == NULL, "the handler read the fault and resolved it with UFFDIO_COPY");
	tap_ok(n == (ssize_t)PAGE_4K && buf[0] == 'X' && buf[PAGE_4K - 1] == 'X',
	       "process_vm_readv (GUP with locked) waited for the copy and read it (n=%zd)", n);

	int mem = open("/proc/self/mem", O_RDONLY);
	if (mem < 0)
		tap_bail("open /proc/self/mem: %s", strerror(errno));
	ssize_t r = pread(mem, buf, PAGE_4K, (off_t)(unsigned long)(area + PAGE_4K));
	tap_ok(r < 0 && errno == EIO, "/proc/self/mem (GUP without locked) fails with EIO (r=%zd)", r);
	struct pollfd pfd = { .fd = uffd, .events = POLLIN };
	int fcntl_ok = fcntl(uffd, F_SETFL, O_NONBLOCK) == 0;
	struct uffd_msg msg;
	tap_ok(fcntl_ok && read(uffd, &msg, sizeof(msg)) < 0 && errno == EAGAIN && poll(&pfd, 1, 0) == 0,
	       "... and queued no message for the handler");
	return tap_done();
}
