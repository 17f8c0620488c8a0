/*
 * fault.c - anonymous write faults, in ns per 4 KiB page.
 *
 *   fault small [MiB] [reps]   MADV_NOHUGEPAGE: one fault per 4 KiB page
 *                              (mm/memory.c: do_anonymous_page)
 *   fault thp   [MiB] [reps]   MADV_HUGEPAGE, 2 MiB-aligned: one fault per 2 MiB
 *                              (mm/huge_memory.c: do_huge_pmd_anonymous_page)
 *
 * Each repetition maps a fresh region, writes one byte in every 4 KiB page and unmaps it; only
 * the writes are timed. Prints the median and best over the repetitions, and for THP how much
 * of the region AnonHugePages says was really mapped by huge pages (the smallest over the reps).
 */
#include "bench.h"

int main(int argc, char **argv)
{
	struct bench_args a = bench_parse(argc, argv, 256, 9);
	const char *thp_mode = bench_thp_mode(&a);
	uint64_t ns[64];
	long thp_kib = -1;

	for (int r = 0; r < a.reps; r++) {
		char *p = bench_region(&a);
		uint64_t t0 = now_ns();
		long kib;

		bench_touch(p, a.bytes);
		ns[r] = now_ns() - t0;
		kib = bench_thp_kib();
		if (thp_kib < 0 || kib < thp_kib)
			thp_kib = kib;
		munmap(p, a.bytes);
	}
	uint64_t med = median_u64(ns, (size_t)a.reps), best = best_u64(ns, (size_t)a.reps);
	double pages = (double)(a.bytes / PAGE_4K);

	bench_json_head("anon-write-fault", &a, thp_mode);
	json_f64("ns_per_4k", (double)med / pages);
	json_f64("ns_per_4k_best", (double)best / pages);
	json_i64("thp_kib", thp_kib);
	json_f64("thp_fraction", thp_kib < 0 ? 0 : (double)thp_kib * KiB / (double)a.bytes);
	json_end();
	return 0;
}
