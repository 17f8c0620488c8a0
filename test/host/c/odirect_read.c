/*
 * odirect_read.c DIR - an O_DIRECT read into an anonymous buffer, on the file system at DIR.
 *
 * A direct read pins the user buffer (FOLL_WRITE: the buffer is not yet faulted in, so GUP
 * faults it) and the device or the file system fills it (fs/iomap/direct-io.c: iomap_dio_rw ->
 * bio_iov_iter_get_pages for ext4; mm/shmem.c for tmpfs, which since 6.6 accepts O_DIRECT
 * (FMODE_CAN_ODIRECT) and serves it through the page cache).
 *
 * Prints TAP for what holds everywhere, and one JSON line with what this file system did: the
 * open's errno, the read's result, whether the buffer was filled, the errno of a read into a
 * misaligned buffer (p + 1), and the statx DIO alignment.
 */
#include "harness.h"

#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#define LEN (64 * KiB)

static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 7 + 3);
}

static const char *fs_name(long type)
{
	return type == TMPFS_MAGIC ? "tmpfs" : type == EXT4_SUPER_MAGIC ? "ext4" : "other";
}

static void write_file(const char *path)
{
	static unsigned char buf[LEN];
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);

	for (size_t i = 0; i < LEN; i++)
		buf[i] = pattern(i);
	if (fd < 0 || write(fd, buf, LEN) != LEN || fsync(fd) || close(fd))
		tap_bail("writing %s: %s", path, strerror(errno));
}

int main(int argc, char **argv)
{
	char path[4096];
	struct statfs sfs;
	struct statx stx = { 0 };

	if (argc < 2 || statfs(argv[1], &sfs))
		tap_bail("usage: odirect_read DIR (statfs: %s)", strerror(errno));
	snprintf(path, sizeof(path), "%s/odirect.dat", argv[1]);
	write_file(path);
	statx(AT_FDCWD, path, 0, STATX_DIOALIGN, &stx);
	int dioalign = (stx.stx_mask & STATX_DIOALIGN) != 0;

	unsigned char *buf = anon_aligned(LEN, PAGE_4K); /* not touched: the read faults it in */
	int fd = open(path, O_RDONLY | O_DIRECT), open_errno = fd < 0 ? errno : 0;
	ssize_t got = -1, mis = -1;
	int filled = 0, mis_errno = 0;

	if (fd >= 0) {
		got = read(fd, buf, LEN);
		filled = got == LEN;
		for (size_t i = 0; filled && i < LEN; i++)
			filled = buf[i] == pattern(i);
		mis = pread(fd, buf + 1, PAGE_4K, 0);
		mis_errno = mis < 0 ? errno : 0;
		close(fd);
	}
	tap_plan(1);
	tap_ok(fd < 0 || filled, "if O_DIRECT opens, the read fills the buffer with the file's data");
	tap_diag("%s: open(O_DIRECT) %s; read %zd; misaligned read %zd (%s); dio align mem %u off %u",
		 fs_name(sfs.f_type), fd < 0 ? strerror(open_errno) : "ok", got, mis,
		 mis < 0 ? strerror(mis_errno) : "ok", stx.stx_dio_mem_align,
		 stx.stx_dio_offset_align);
	json_begin();
	json_str("fs", fs_name(sfs.f_type));
	json_i64("open_errno", open_errno);
	json_i64("read", got);
	json_bool("filled", filled);
	json_i64("misaligned_read", mis);
	json_i64("misaligned_errno", mis_errno);
	json_bool("statx_dioalign", dioalign);
	json_u64("dio_mem_align", stx.stx_dio_mem_align);
	json_u64("dio_offset_align", stx.stx_dio_offset_align);
	json_end();
	unlink(path);
	return tap_done();
}
