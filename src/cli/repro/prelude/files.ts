/** File-system directories and declared files; migration with move_pages(2). */
export const FILES = String.raw`
/* ---- files: a directory per file system, checked by statfs ---- */

#include <ftw.h>
#include <sys/vfs.h>

struct fsdir {
	const char *name, *env, *fallback;
	long magic;
	char path[512];
};

static inline int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

/* Make FS's directory for this run ($GUPSIM_DIR_<FS>/gupsim.PID) or skip saying what is missing. */
static inline void fs_ready(struct fsdir *d)
{
	const char *base = getenv(d->env);
	struct statfs st;

	if (!base || !*base)
		base = d->fallback;
	if (!base)
		skip_all("no %s directory: set %s to a directory on %s", d->name, d->env, d->name);
	if (statfs(base, &st) || st.f_type != d->magic)
		skip_all("%s=%s is not on %s", d->env, base, d->name);
	snprintf(d->path, sizeof(d->path), "%s/gupsim.%d", base, (int)getpid());
	if (mkdir(d->path, 0755))
		bail("mkdir %s: %s", d->path, strerror(errno));
}

static inline void fs_done(struct fsdir *d)
{
	if (d->path[0])
		nftw(d->path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static inline const char *path_in(struct fsdir *d, const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s/%s", d->path, name);
	for (char *s = out + strlen(d->path) + 1; (s = strchr(s, '/')); *s++ = '/') {
		*s = '\0';
		mkdir(out, 0755);
	}
	return out;
}

/* A file present at start: size bytes of fill, written and synced. */
static inline void make_file(struct fsdir *d, const char *name, size_t size, int fill, int hugetlb)
{
	char path[1024];
	int fd = open(path_in(d, name, path, sizeof(path)), O_CREAT | O_TRUNC | O_RDWR, 0644);

	if (fd < 0 || ftruncate(fd, (off_t)size))
		bail("create %s: %s", path, strerror(errno));
	if (fill && hugetlb) {
		char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

		if (p == MAP_FAILED)
			bail("mmap %s: %s", path, strerror(errno));
		memset(p, fill, size);
		munmap(p, size);
	} else if (fill) {
		char *buf = scratch(size);

		memset(buf, fill, size);
		if (pwrite(fd, buf, size, 0) != (ssize_t)size)
			bail("write %s: %s", path, strerror(errno));
		free(buf);
	}
	if (!hugetlb && fsync(fd))
		bail("fsync %s: %s", path, strerror(errno));
	close(fd);
}

/* A second, buffered descriptor of fd's file (for contents read without O_DIRECT). */
static inline int buffered_twin(int fd)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return open(path, O_RDONLY);
}
`;

export const MOVE_PAGES = String.raw`
/* ---- migration: move_pages(2) to another NUMA node ---- */

#define MPOL_MF_MOVE (1 << 1)

static inline int online_nodes(int *nodes, int max)
{
	char buf[256], *s = buf, *end;
	int n = 0, fd = open("/sys/devices/system/node/online", O_RDONLY);
	ssize_t len = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	buf[len > 0 ? len : 0] = '\0';
	while (*s && n < max) {
		long a = strtol(s, &end, 10), b = a;

		if (end == s)
			break;
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		for (long i = a; i <= b && n < max; i++)
			nodes[n++] = (int)i;
		if (*end != ',')
			break;
		s = end + 1;
	}
	return n;
}

/* Move every page of [addr, addr + len) to a node it is not on: pages not migrated, or -errno. */
static inline int64_t migrate_range(char *addr, size_t len)
{
	unsigned long n = len / PAGE;
	void **pages = scratch(n * sizeof(*pages));
	int *nodes = scratch(n * sizeof(int)), *status = scratch(n * sizeof(int)), online[64];
	int count = online_nodes(online, 64);
	int64_t r;

	for (unsigned long i = 0; i < n; i++)
		pages[i] = addr + i * PAGE;
	syscall(SYS_move_pages, 0, n, pages, NULL, status, 0);
	for (unsigned long i = 0; i < n; i++)
		nodes[i] = online[0] == status[i] && count > 1 ? online[1] : online[0];
	r = sys(syscall(SYS_move_pages, 0, n, pages, nodes, status, MPOL_MF_MOVE));
	free(pages), free(nodes), free(status);
	return r;
}
`;
