/** Parts of the harness a program includes when it needs them: threads, io_uring. */
export const PTHREAD = String.raw`
static inline void start_thread(void *(*fn)(void *))
{
	pthread_t t;

	if (pthread_create(&t, NULL, fn, NULL))
		bail("pthread_create failed");
	pthread_detach(t);
}
`;

export const IO_URING = String.raw`
/* ---- io_uring through raw syscalls: one ring per registered buffer ---- */

#include <linux/io_uring.h>

struct ring {
	int fd;
	void *addr;	/* the registered buffer */
	size_t len;
	unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static struct ring rings[NB]; /* by bound name; a forked child inherits the rings */

static inline int ring_open(struct ring *r)
{
	struct io_uring_params p;
	char *sq, *cq;
	size_t sq_len, cq_len;

	memset(&p, 0, sizeof(p));
	r->fd = (int)syscall(__NR_io_uring_setup, 4, &p);
	if (r->fd < 0)
		return -errno;
	sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	if (p.features & IORING_FEAT_SINGLE_MMAP)
		sq_len = cq_len = sq_len > cq_len ? sq_len : cq_len;
	sq = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		  IORING_OFF_SQ_RING);
	cq = sq;
	if (sq != MAP_FAILED && !(p.features & IORING_FEAT_SINGLE_MMAP))
		cq = mmap(NULL, cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
			  IORING_OFF_CQ_RING);
	r->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || r->sqes == MAP_FAILED)
		bail("mmap of the io_uring rings: %s", strerror(errno));
	r->sq_tail = (unsigned *)(sq + p.sq_off.tail);
	r->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned *)(sq + p.sq_off.array);
	r->cq_head = (unsigned *)(cq + p.cq_off.head);
	r->cq_tail = (unsigned *)(cq + p.cq_off.tail);
	r->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	return 0;
}

/* IORING_REGISTER_BUFFERS of one iovec: pin_user_pages_fast(FOLL_WRITE | FOLL_LONGTERM). */
static inline int64_t ring_register(struct ring *r, void *addr, size_t len)
{
	struct iovec iov = { .iov_base = addr, .iov_len = len };
	int err = ring_open(r);

	if (err)
		bail("io_uring_setup: %s", strerror(-err));
	r->addr = addr;
	r->len = len;
	return sys(syscall(__NR_io_uring_register, r->fd, IORING_REGISTER_BUFFERS, &iov, 1));
}

static inline int64_t ring_unregister(struct ring *r)
{
	return sys(syscall(__NR_io_uring_register, r->fd, IORING_UNREGISTER_BUFFERS, NULL, 0));
}

/* One READ_FIXED / WRITE_FIXED of buffer 0, waited for: the CQE result. */
static inline int64_t ring_rw_fixed(struct ring *r, int op, int fd, void *addr, unsigned len, uint64_t off)
{
	unsigned tail = *r->sq_tail, idx = tail & *r->sq_mask, head;
	struct io_uring_sqe *sqe = &r->sqes[idx];
	int64_t res;

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = (uint8_t)op;
	sqe->fd = fd;
	sqe->addr = (uint64_t)(uintptr_t)addr;
	sqe->len = len;
	sqe->off = off;
	r->sq_array[idx] = idx;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, r->fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		return -errno;
	head = __atomic_load_n(r->cq_head, __ATOMIC_ACQUIRE);
	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
		return -EAGAIN;
	res = r->cqes[head & *r->cq_mask].res;
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

/* Read the pinned pages through the kernel: WRITE_FIXED into a scratch memfd, then pread. */
static inline int observe_pin(struct ring *r, int16_t *out)
{
	int fd = memfd_create("gupsim-observe", 0);
	char *buf = scratch(r->len);
	int64_t n;

	if (fd < 0)
		bail("memfd_create: %s", strerror(errno));
	n = ring_rw_fixed(r, IORING_OP_WRITE_FIXED, fd, r->addr, (unsigned)r->len, 0);
	if (n != (int64_t)r->len || pread(fd, buf, r->len, 0) != (ssize_t)r->len)
		bail("WRITE_FIXED of the pinned buffer to a memfd: %lld", (long long)n);
	close(fd);
	n = buffer_pages(buf, r->len, out);
	free(buf);
	return (int)n;
}
`;
