/*
 * pin.c - longterm pin and unpin through io_uring fixed buffers, in ns per 4 KiB page.
 *
 *   pin small [MiB] [reps]   MADV_NOHUGEPAGE region
 *   pin thp   [MiB] [reps]   MADV_HUGEPAGE, 2 MiB-aligned region
 *
 * IORING_REGISTER_BUFFERS pins every page of every iovec with
 * pin_user_pages(FOLL_WRITE | FOLL_LONGTERM) (io_uring/rsrc.c: io_sqe_buffer_register ->
 * io_pin_pages); IORING_UNREGISTER_BUFFERS unpins them (io_buffer_unmap -> unpin_user_folio).
 * The region is populated first, so no fault is timed. A buffer is at most 1 GiB, so a larger
 * region is registered as several buffers in one call.
 *
 * Pinned pages are charged to RLIMIT_MEMLOCK unless the caller has CAP_IPC_LOCK: the limit is
 * raised to unlimited when allowed (CAP_SYS_RESOURCE); without either, the region shrinks to fit.
 */
#include "bench.h"
#include "uring.h"

#include <linux/capability.h>
#include <sys/resource.h>

static int has_cap(int cap)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return 0;
	return (d[cap / 32].effective >> (cap % 32)) & 1;
}

/* How the pinned pages fit RLIMIT_MEMLOCK: "unlimited", "cap_ipc_lock" or "limited". */
static const char *fit_memlock(struct bench_args *a)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };

	if (!setrlimit(RLIMIT_MEMLOCK, &rl))
		return "unlimited";
	if (has_cap(CAP_IPC_LOCK)) /* io_uring/rsrc.c: io_account_mem is skipped */
		return "cap_ipc_lock";
	getrlimit(RLIMIT_MEMLOCK, &rl);
	/* Half the limit: locked_vm is per user and may already hold other pins. */
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur / 2 < a->bytes)
		a->bytes = rl.rlim_cur / 2 / HPAGE_2M * HPAGE_2M;
	if (a->bytes == 0)
		json_skip("RLIMIT_MEMLOCK (%llu KiB) is below 4 MiB, and no CAP_IPC_LOCK",
			  (unsigned long long)rl.rlim_cur / 1024);
	return "limited";
}

static void open_ring(struct uring *u)
{
	int err = uring_init(u, 4);
	char disabled[16] = "?";
	FILE *f;

	if (!err)
		return;
	f = fopen("/proc/sys/kernel/io_uring_disabled", "r");
	if (f) {
		if (!fgets(disabled, sizeof(disabled), f))
			disabled[0] = '?';
		disabled[strcspn(disabled, "\n")] = '\0';
		fclose(f);
	}
	json_skip("io_uring_setup: %s (kernel.io_uring_disabled = %s)", strerror(-err), disabled);
}

int main(int argc, char **argv)
{
	struct bench_args a = bench_parse(argc, argv, 1024, 9);
	const char *thp_mode = bench_thp_mode(&a);
	struct iovec iov[64];
	unsigned nr = 0;
	uint64_t pin[64], unpin[64];
	struct uring u;

	const char *memlock = fit_memlock(&a);

	open_ring(&u);
	char *p = bench_region(&a);

	bench_touch(p, a.bytes);
	long thp_kib = bench_thp_kib();

	for (size_t off = 0; off < a.bytes && nr < 64; off += URING_MAX_BUFFER, nr++) {
		iov[nr].iov_base = p + off;
		iov[nr].iov_len = a.bytes - off < URING_MAX_BUFFER ? a.bytes - off : URING_MAX_BUFFER;
	}
	for (int r = 0; r < a.reps; r++) {
		uint64_t t0 = now_ns();
		int err = uring_register_buffers(&u, iov, nr);
		uint64_t t1 = now_ns();

		if (err)
			json_skip("IORING_REGISTER_BUFFERS of %zu MiB: %s", a.bytes / MiB,
				  strerror(-err));
		err = uring_unregister_buffers(&u);
		unpin[r] = now_ns() - t1;
		pin[r] = t1 - t0;
		if (err)
			json_skip("IORING_UNREGISTER_BUFFERS: %s", strerror(-err));
	}
	double pages = (double)(a.bytes / PAGE_4K);

	bench_json_head("io_uring-fixed-buffers", &a, thp_mode);
	json_u64("buffers", nr);
	json_str("memlock", memlock);
	json_f64("pin_ns_per_4k", (double)median_u64(pin, (size_t)a.reps) / pages);
	json_f64("pin_ns_per_4k_best", (double)best_u64(pin, (size_t)a.reps) / pages);
	json_f64("unpin_ns_per_4k", (double)median_u64(unpin, (size_t)a.reps) / pages);
	json_f64("unpin_ns_per_4k_best", (double)best_u64(unpin, (size_t)a.reps) / pages);
	json_i64("thp_kib", thp_kib);
	json_f64("thp_fraction", thp_kib < 0 ? 0 : (double)thp_kib * KiB / (double)a.bytes);
	json_end();
	return 0;
}
