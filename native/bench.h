/*
 * bench.h - shared by the host benchmarks (fault.c, fork.c, pin.c): the page-size mode, anonymous
 * regions of small pages or THP, and the checks that say whether THP was really used.
 *
 * Every benchmark takes "small" or "thp" as its first argument, then the region size in MiB and
 * the number of repetitions, and prints one JSON object (or {"skip": reason}).
 */
#ifndef GUPSIM_BENCH_H
#define GUPSIM_BENCH_H

#include "harness.h"

#define THP_ENABLED "/sys/kernel/mm/transparent_hugepage/enabled"

struct bench_args {
	int thp;      /* 1: MADV_HUGEPAGE on a 2 MiB-aligned region; 0: MADV_NOHUGEPAGE */
	size_t bytes; /* region size */
	int reps;     /* repetitions; the figure is their median */
};

static inline struct bench_args bench_parse(int argc, char **argv, size_t def_mib, int def_reps)
{
	struct bench_args a = { 0, def_mib * MiB, def_reps };

	if (argc > 1)
		a.thp = !strcmp(argv[1], "thp");
	if (argc > 2)
		a.bytes = (size_t)strtoul(argv[2], NULL, 10) * MiB;
	if (argc > 3)
		a.reps = atoi(argv[3]);
	if (a.reps < 1 || a.reps > 64)
		a.reps = def_reps;
	return a;
}

/* The THP mode ("always", "madvise", "never"); skips the benchmark when THP cannot be used. */
static inline const char *bench_thp_mode(const struct bench_args *a)
{
	static char mode[32];

	if (!sysfs_mode(THP_ENABLED, mode, sizeof(mode))) {
		if (a->thp)
			json_skip("THP unavailable: no %s", THP_ENABLED);
		return "none";
	}
	if (a->thp && !strcmp(mode, "never"))
		json_skip("THP disabled: %s is [never]", THP_ENABLED);
	return mode;
}

/* An anonymous region for the mode: 2 MiB-aligned with MADV_HUGEPAGE, or MADV_NOHUGEPAGE. */
static inline char *bench_region(const struct bench_args *a)
{
	char *p = anon_aligned(a->bytes, HPAGE_2M);

	if (!p)
		json_skip("mmap of %zu MiB failed: %s", a->bytes / MiB, strerror(errno));
	if (madvise(p, a->bytes, a->thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE))
		json_skip("madvise(%s): %s", a->thp ? "MADV_HUGEPAGE" : "MADV_NOHUGEPAGE",
			  strerror(errno));
	return p;
}

/* Write one byte in every 4 KiB page: one write fault per page (or per 2 MiB with THP). */
static inline void bench_touch(char *p, size_t bytes)
{
	for (size_t off = 0; off < bytes; off += PAGE_4K)
		((volatile char *)p)[off] = 1;
}

/* KiB of anonymous memory mapped by PMD-level THPs in this process. */
static inline long bench_thp_kib(void)
{
	return proc_kib("/proc/self/smaps_rollup", "AnonHugePages");
}

/* The common fields: mode, size, repetitions, statistic, THP mode. */
static inline void bench_json_head(const char *what, const struct bench_args *a,
				   const char *thp_mode)
{
	json_begin();
	json_str("what", what);
	json_str("mode", a->thp ? "thp" : "small");
	json_u64("bytes", a->bytes);
	json_u64("pages_4k", a->bytes / PAGE_4K);
	json_i64("reps", a->reps);
	json_str("stat", "median");
	json_str("thp_enabled", thp_mode);
}

#endif /* GUPSIM_BENCH_H */
