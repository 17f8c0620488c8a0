/** Reading memory through the page tables without faulting (memory expectations). */
export const OBSERVE = String.raw`
/* ---- memory read through the page tables, without faulting ---- */

#define PM_PRESENT (1ULL << 63)
#define PM_SWAP (1ULL << 62)

static inline uint64_t pagemap_entry(const void *addr)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		bail("open /proc/self/pagemap: %s", strerror(errno));
	if (pread(fd, &e, sizeof(e), (off_t)((uintptr_t)addr / PAGE * sizeof(e))) != sizeof(e))
		e = 0;
	close(fd);
	return e;
}

/* What a read fault would map at a page that is not present: zero, or the file's page. */
static inline int16_t absent_page(const char *addr)
{
	char line[512], path[64], file[256];
	unsigned long start, end, off;
	int16_t v = NO_ACCESS;
	FILE *maps = fopen("/proc/self/maps", "r");

	while (maps && fgets(line, sizeof(line), maps)) {
		file[0] = '\0';
		if (sscanf(line, "%lx-%lx %*s %lx %*s %*s %255s", &start, &end, &off, file) < 3)
			continue;
		if ((uintptr_t)addr < start || (uintptr_t)addr >= end)
			continue;
		if (file[0] == '\0' || file[0] == '[') {
			v = 0; /* anonymous: the zero page */
		} else {
			char *buf = scratch(PAGE);
			ssize_t n;
			int fd;

			snprintf(path, sizeof(path), "/proc/self/map_files/%lx-%lx", start, end);
			fd = open(path, O_RDONLY);
			n = fd < 0 ? -1 : pread(fd, buf, PAGE, (off_t)(off + ((uintptr_t)addr - start)));
			if (n > 0 && n < (ssize_t)PAGE)
				memset(buf + n, 0, PAGE - (size_t)n); /* past the end of the file reads as 0 */
			if (fd < 0)
				v = UNOBSERVABLE; /* map_files needs CAP_SYS_ADMIN */
			else
				v = n < 0 ? NO_ACCESS : n == 0 ? PAST_EOF : page_value((unsigned char *)buf, PAGE);
			if (fd >= 0)
				close(fd);
			free(buf);
		}
		break;
	}
	if (maps)
		fclose(maps);
	return v;
}

/*
 * Page values of [addr, addr + len) as the page tables hold them. Returns why one cannot be
 * read without changing it (swapped out, or hidden from this user), or NULL.
 */
static inline const char *observe_memory(const char *addr, size_t len, int16_t *out)
{
	const char *unobservable = NULL;

	for (size_t off = 0; off < len; off += PAGE) {
		uint64_t e = pagemap_entry(addr + off);

		if (e & PM_PRESENT) {
			if (user_load(addr + off, PAGE, &out[off / PAGE]))
				out[off / PAGE] = NO_ACCESS;
		} else if (e & PM_SWAP) {
			out[off / PAGE] = SWAPPED;
			unobservable = "a page is swapped out: reading it would swap it in";
		} else {
			out[off / PAGE] = absent_page(addr + off);
			if (out[off / PAGE] == UNOBSERVABLE)
				unobservable = "a page is not present and /proc/self/map_files needs CAP_SYS_ADMIN";
		}
	}
	return unobservable;
}

static inline void expect_memory(const char *where, const char *msg, const char *addr, size_t len,
			  struct val want)
{
	int n = (int)(len / PAGE);
	int16_t *got = scratch((size_t)n * sizeof(*got));
	const char *why = observe_memory(addr, len, got);

	if (why)
		tap(1, where, msg, why);
	else
		expect_eq(where, msg, contents(got, n), want);
	free(got);
}
`;
