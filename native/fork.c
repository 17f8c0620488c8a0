/*
 * fork.c - fork() of a process with a populated anonymous region, in ms.
 *
 *   fork small [MiB] [reps]   MADV_NOHUGEPAGE: fork copies one PTE per 4 KiB page
 *                             (mm/memory.c: copy_pte_range, copy_present_ptes)
 *   fork thp   [MiB] [reps]   MADV_HUGEPAGE: one PMD per 2 MiB (mm/huge_memory.c: copy_huge_pmd)
 *
 * The region is populated once; then each repetition times fork() as the parent sees it (from
 * the call to its return in the parent) while the child exits at once, and waits for the child.
 */
#include "bench.h"

#include <sys/wait.h>

int main(int argc, char **argv)
{
	struct bench_args a = bench_parse(argc, argv, 1024, 7);
	const char *thp_mode = bench_thp_mode(&a);
	char *p = bench_region(&a);
	uint64_t ns[64];

	bench_touch(p, a.bytes);
	long thp_kib = bench_thp_kib();

	for (int r = 0; r < a.reps; r++) {
		uint64_t t0 = now_ns();
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		ns[r] = now_ns() - t0;
		if (pid < 0)
			json_skip("fork: %s", strerror(errno));
		waitpid(pid, NULL, 0);
	}
	uint64_t med = median_u64(ns, (size_t)a.reps), best = best_u64(ns, (size_t)a.reps);

	bench_json_head("fork", &a, thp_mode);
	json_f64("ms", (double)med / 1e6);
	json_f64("ms_best", (double)best / 1e6);
	json_i64("thp_kib", thp_kib);
	json_f64("thp_fraction", thp_kib < 0 ? 0 : (double)thp_kib * KiB / (double)a.bytes);
	json_end();
	return 0;
}
