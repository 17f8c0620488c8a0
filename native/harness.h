/*
 * harness.h - what a gupsim host program (benchmark, host check, generated reproducer) includes.
 *
 *   TAP output      tap_plan, tap_ok, tap_diag, tap_skip_all, tap_bail, tap_done
 *   JSON output     json_begin, json_u64/i64/f64/str/bool, json_end (one object on one line);
 *                   json_skip(reason) for a benchmark the host cannot run
 *   turn-taking     struct turn: futex on shared memory, so threads *and* forked processes
 *                   run their steps in a given order (turn_wait(t, n) ... turn_set(t, n + 1))
 *   page identity   pagemap_entry/pagemap_pfn (PFNs need CAP_SYS_ADMIN), kpageflags,
 *                   same_page (do two mappings map the same physical page?)
 *   time            now_ns (CLOCK_MONOTONIC), median_u64 and best_u64 over repetitions
 *
 * libc and Linux uapi headers only. Everything is static inline, so a program uses what it needs
 * and -Wall -Werror does not complain about the rest. Output is flushed line by line, so a fork
 * never duplicates buffered output. Only one process prints TAP results (the counters are per
 * process): a child reports what it saw through shared memory, as test/host/c/cow_fork.c does.
 */
#ifndef GUPSIM_HARNESS_H
#define GUPSIM_HARNESS_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define KiB (1024UL)
#define MiB (1024UL * KiB)
#define GiB (1024UL * MiB)
#define PAGE_4K (4096UL)
#define HPAGE_2M (2UL * MiB)

/* ---- time ---- */

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* ---- TAP (Test Anything Protocol) ---- */

static int tap_count, tap_failed;

static inline void tap_vline(const char *prefix, const char *fmt, va_list ap)
{
	fputs(prefix, stdout);
	vfprintf(stdout, fmt, ap);
	fputc('\n', stdout);
	fflush(stdout);
}

/* "1..n": how many tap_ok lines follow. */
static inline void tap_plan(int n)
{
	printf("1..%d\n", n);
	fflush(stdout);
}

/* "# ...": a comment line, for what the kernel did. */
static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vline("# ", fmt, ap);
	va_end(ap);
}

/* "ok N - msg" or "not ok N - msg"; returns cond. */
static inline int tap_ok(int cond, const char *fmt, ...)
{
	char prefix[32];
	va_list ap;

	tap_count++;
	if (!cond)
		tap_failed++;
	snprintf(prefix, sizeof(prefix), "%sok %d - ", cond ? "" : "not ", tap_count);
	va_start(ap, fmt);
	tap_vline(prefix, fmt, ap);
	va_end(ap);
	return cond;
}

/* "1..0 # SKIP reason": the host cannot run this program; exit 0. */
static inline void __attribute__((noreturn)) tap_skip_all(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vline("1..0 # SKIP ", fmt, ap);
	va_end(ap);
	exit(0);
}

/* "Bail out! reason": the program itself broke (a setup call failed); exit 2. */
static inline void __attribute__((noreturn)) tap_bail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vline("Bail out! ", fmt, ap);
	va_end(ap);
	exit(2);
}

/* The exit status: 0 if every check passed. */
static inline int tap_done(void)
{
	return tap_failed ? 1 : 0;
}

/* ---- JSON: one object on one line ---- */

static int json_fields;

static inline void json_key(const char *key)
{
	printf("%s\"%s\":", json_fields++ ? "," : "{", key);
}

static inline void json_begin(void)
{
	json_fields = 0;
}

static inline void json_u64(const char *key, uint64_t v)
{
	json_key(key);
	printf("%llu", (unsigned long long)v);
}

static inline void json_i64(const char *key, int64_t v)
{
	json_key(key);
	printf("%lld", (long long)v);
}

static inline void json_f64(const char *key, double v)
{
	json_key(key);
	printf("%.6g", v);
}

static inline void json_bool(const char *key, int v)
{
	json_key(key);
	fputs(v ? "true" : "false", stdout);
}

static inline void json_str(const char *key, const char *s)
{
	json_key(key);
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

static inline void json_end(void)
{
	puts(json_fields ? "}" : "{}");
	fflush(stdout);
}

/* {"skip":"reason"}: a benchmark the host cannot run; exit 0. */
static inline void __attribute__((noreturn)) json_skip(const char *fmt, ...)
{
	char reason[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	json_begin();
	json_str("skip", reason);
	json_end();
	exit(0);
}

/* ---- turn-taking between threads or processes ---- */

/*
 * A step counter in a MAP_SHARED page, so it survives fork(). turn_wait(t, n) sleeps on the
 * futex until the counter is n; turn_set(t, n) publishes n and wakes every waiter. Waits time
 * out after 10 s with a bail-out, so a broken order fails instead of hanging.
 */
struct turn {
	uint32_t step;
};

static inline struct turn *turn_new(void)
{
	struct turn *t = mmap(NULL, PAGE_4K, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			      -1, 0);

	if (t == MAP_FAILED)
		tap_bail("turn_new: mmap: %s", strerror(errno));
	__atomic_store_n(&t->step, 0, __ATOMIC_RELEASE);
	return t;
}

static inline void turn_wait(struct turn *t, uint32_t n)
{
	uint64_t deadline = now_ns() + 10ULL * 1000000000ULL;
	struct timespec tick = { .tv_sec = 0, .tv_nsec = 100 * 1000 * 1000 };
	uint32_t cur;

	while ((cur = __atomic_load_n(&t->step, __ATOMIC_ACQUIRE)) != n) {
		if (now_ns() > deadline)
			tap_bail("turn_wait: still at step %u waiting for %u", cur, n);
		syscall(SYS_futex, &t->step, FUTEX_WAIT, cur, &tick, NULL, 0);
	}
}

static inline void turn_set(struct turn *t, uint32_t n)
{
	__atomic_store_n(&t->step, n, __ATOMIC_RELEASE);
	syscall(SYS_futex, &t->step, FUTEX_WAKE, INT32_MAX, NULL, NULL, 0);
}

/* ---- page identity: /proc/<pid>/pagemap and /proc/kpageflags ---- */

/* Bits of a pagemap entry (Documentation/admin-guide/mm/pagemap.rst). */
#define PM_PFN_MASK ((1ULL << 55) - 1)
#define PM_SOFT_DIRTY (1ULL << 55)
#define PM_MMAP_EXCLUSIVE (1ULL << 56)
#define PM_FILE (1ULL << 61)
#define PM_SWAP (1ULL << 62)
#define PM_PRESENT (1ULL << 63)

/* Bits of /proc/kpageflags (include/uapi/linux/kernel-page-flags.h). */
#define KPF_ANON 12
#define KPF_COMPOUND_HEAD 15
#define KPF_COMPOUND_TAIL 16
#define KPF_HUGE 17
#define KPF_THP 22
#define KPF_ZERO_PAGE 24

/* The pagemap entry of addr in process pid (0: this process); 0 when unreadable. */
static inline uint64_t pagemap_entry(pid_t pid, const void *addr)
{
	char path[64];
	uint64_t e = 0;
	int fd;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/pagemap");
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	if (pread(fd, &e, sizeof(e), (off_t)((uintptr_t)addr / PAGE_4K * sizeof(e))) != sizeof(e))
		e = 0;
	close(fd);
	return e;
}

/* The PFN mapped at addr; 0 if not present or hidden (PFNs are shown to CAP_SYS_ADMIN only). */
static inline uint64_t pagemap_pfn(pid_t pid, const void *addr)
{
	uint64_t e = pagemap_entry(pid, addr);

	return (e & PM_PRESENT) ? (e & PM_PFN_MASK) : 0;
}

/* /proc/kpageflags of pfn (root only); 0 when unreadable. Test with kpf(flags, KPF_THP). */
static inline uint64_t kpageflags(uint64_t pfn)
{
	uint64_t f = 0;
	int fd = open("/proc/kpageflags", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &f, sizeof(f), (off_t)(pfn * sizeof(f))) != sizeof(f))
		f = 0;
	close(fd);
	return f;
}

static inline int kpf(uint64_t flags, int bit)
{
	return (int)((flags >> bit) & 1);
}

/*
 * Do (pid_a, a) and (pid_b, b) map the same physical page? 1 yes, 0 no, -1 unknown (a page
 * not present, or PFNs hidden from this user).
 */
static inline int same_page(pid_t pid_a, const void *a, pid_t pid_b, const void *b)
{
	uint64_t pa = pagemap_pfn(pid_a, a), pb = pagemap_pfn(pid_b, b);

	if (!pa || !pb)
		return -1;
	return pa == pb;
}

/* ---- statistics over repetitions ---- */

static inline int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorts v in place; returns the median (the lower middle for even n). */
static inline uint64_t median_u64(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return v[(n - 1) / 2];
}

/* The smallest of v[0, n) (call after median_u64: v[0]). */
static inline uint64_t best_u64(const uint64_t *v, size_t n)
{
	uint64_t b = v[0];

	for (size_t i = 1; i < n; i++)
		if (v[i] < b)
			b = v[i];
	return b;
}

/* ---- small helpers ---- */

/* Is every byte of buf[0, len) equal to c? */
static inline int all_bytes(const void *buf, size_t len, unsigned char c)
{
	const unsigned char *p = buf;

	for (size_t i = 0; i < len; i++)
		if (p[i] != c)
			return 0;
	return 1;
}

/* Anonymous private memory of len bytes, aligned to align (a power of two, >= 4 KiB). */
static inline void *anon_aligned(size_t len, size_t align)
{
	size_t span = len + align;
	char *raw = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *p;

	if (raw == MAP_FAILED)
		return NULL;
	p = (char *)(((uintptr_t)raw + align - 1) & ~(uintptr_t)(align - 1));
	if (p > raw)
		munmap(raw, (size_t)(p - raw));
	if (p + len < raw + span)
		munmap(p + len, (size_t)(raw + span - (p + len)));
	return p;
}

/* The "[x] y z" selection of a sysfs mode file such as transparent_hugepage/enabled. */
static inline const char *sysfs_mode(const char *path, char *out, size_t outlen)
{
	char line[256], *l, *r;
	FILE *f = fopen(path, "r");

	if (!f)
		return NULL;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	l = strchr(line, '[');
	r = l ? strchr(l, ']') : NULL;
	if (!r)
		return NULL;
	*r = '\0';
	snprintf(out, outlen, "%s", l + 1);
	return out;
}

/* A "Key:   N kB" field of a /proc meminfo-style file, in KiB; -1 if missing. */
static inline long proc_kib(const char *path, const char *key)
{
	char line[256];
	size_t klen = strlen(key);
	long v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			v = strtol(line + klen + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

#endif /* GUPSIM_HARNESS_H */
