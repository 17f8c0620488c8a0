/*
 * uring.h - the least io_uring a gupsim host program needs, through raw syscalls (no liburing).
 *
 *   uring_init(&u, entries)              io_uring_setup + mmap of the rings; -errno on failure
 *   uring_register_buffers(&u, iov, n)   IORING_REGISTER_BUFFERS: in the kernel,
 *                                        pin_user_pages(FOLL_WRITE | FOLL_LONGTERM) of each iovec
 *   uring_unregister_buffers(&u)         IORING_UNREGISTER_BUFFERS: unpin_user_pages
 *   uring_rw_fixed(&u, op, fd, ...)      one IORING_OP_READ_FIXED / IORING_OP_WRITE_FIXED, waited
 *                                        for; returns the CQE result (bytes or -errno)
 *
 * A registered ("fixed") buffer is at most 1 GiB (io_uring/rsrc.c: io_buffer_validate).
 */
#ifndef GUPSIM_URING_H
#define GUPSIM_URING_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <linux/io_uring.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define URING_MAX_BUFFER (1UL << 30)

struct uring {
	int fd;
	unsigned *sq_head, *sq_tail, *sq_mask, *sq_array;
	unsigned *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static inline int uring_init(struct uring *u, unsigned entries)
{
	struct io_uring_params p;
	char *sq, *cq;
	size_t sq_len, cq_len;

	memset(&p, 0, sizeof(p));
	u->fd = (int)syscall(__NR_io_uring_setup, entries, &p);
	if (u->fd < 0)
		return -errno;
	sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	if (p.features & IORING_FEAT_SINGLE_MMAP)
		sq_len = cq_len = sq_len > cq_len ? sq_len : cq_len;
	sq = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, u->fd,
		  IORING_OFF_SQ_RING);
	if (sq == MAP_FAILED)
		return -errno;
	cq = sq;
	if (!(p.features & IORING_FEAT_SINGLE_MMAP)) {
		cq = mmap(NULL, cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, u->fd,
			  IORING_OFF_CQ_RING);
		if (cq == MAP_FAILED)
			return -errno;
	}
	u->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, u->fd, IORING_OFF_SQES);
	if (u->sqes == MAP_FAILED)
		return -errno;
	u->sq_head = (unsigned *)(sq + p.sq_off.head);
	u->sq_tail = (unsigned *)(sq + p.sq_off.tail);
	u->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
	u->sq_array = (unsigned *)(sq + p.sq_off.array);
	u->cq_head = (unsigned *)(cq + p.cq_off.head);
	u->cq_tail = (unsigned *)(cq + p.cq_off.tail);
	u->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
	u->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	return 0;
}

static inline int uring_register_buffers(struct uring *u, const struct iovec *iov, unsigned n)
{
	return syscall(__NR_io_uring_register, u->fd, IORING_REGISTER_BUFFERS, iov, n) < 0 ? -errno
											    : 0;
}

static inline int uring_unregister_buffers(struct uring *u)
{
	return syscall(__NR_io_uring_register, u->fd, IORING_UNREGISTER_BUFFERS, NULL, 0) < 0
		       ? -errno
		       : 0;
}

/* Submit one READ_FIXED/WRITE_FIXED of registered buffer buf_index and wait for it. */
static inline int uring_rw_fixed(struct uring *u, int op, int fd, void *addr, unsigned len,
				 uint64_t off, unsigned buf_index)
{
	unsigned tail = *u->sq_tail, idx = tail & *u->sq_mask, head;
	struct io_uring_sqe *sqe = &u->sqes[idx];
	int res;

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = (uint8_t)op;
	sqe->fd = fd;
	sqe->addr = (uint64_t)(uintptr_t)addr;
	sqe->len = len;
	sqe->off = off;
	sqe->buf_index = (uint16_t)buf_index;
	u->sq_array[idx] = idx;
	__atomic_store_n(u->sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, u->fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		return -errno;
	head = __atomic_load_n(u->cq_head, __ATOMIC_ACQUIRE);
	if (head == __atomic_load_n(u->cq_tail, __ATOMIC_ACQUIRE))
		return -EAGAIN;
	res = u->cqes[head & *u->cq_mask].res;
	__atomic_store_n(u->cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

#endif /* GUPSIM_URING_H */
