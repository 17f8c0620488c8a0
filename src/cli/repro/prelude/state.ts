/**
 * The reproducer's harness, first part: constants, the shared state (turn counter, slots of the
 * bound names), output, turn-taking, bound values, the values expectations compare, TAP.
 */
export const CORE_STATE = String.raw`#define PAGE 4096UL
#define KiB 1024UL
#define MiB (1024UL * KiB)
#define GiB (1024UL * MiB)
#define MIXED (-1)     /* a page whose bytes differ */
#define SWAPPED (-2)   /* a page swapped out: reading it would swap it in */
#define PAST_EOF (-3)  /* a file page past the end of the file: a load would raise SIGBUS */
#define NO_ACCESS (-4) /* a page a load cannot read (not mapped, PROT_NONE) */
#define UNOBSERVABLE (-5) /* a page the program cannot read without changing it */
#define TURN_LIMIT_S 30

struct slot {
	int64_t value;	/* NAME alone: an address, a pid, an fd, or a value */
	int64_t ret;	/* NAME.ret: the C return value, or a negative errno */
	int64_t aux;	/* a pipe's write end */
	int64_t field[4]; /* NAME.FIELD of a userfaultfd step (uffd_read: see emit/uffd_fields.ts) */
	int32_t first;	/* >= 0: NAME is page contents, pages[first .. first + npages) */
	int32_t npages;
	int32_t cap;	/* pages reserved for the contents */
	int32_t bound;
};

struct shared {
	uint32_t turn;	 /* the step that may run now (1-based; 0 while setting up) */
	uint32_t broken; /* set by a bail-out: every process stops */
	int32_t tap_count, tap_failed;
	struct slot b[NB];
	int16_t pages[NPAGES];
};

static struct shared *S;

/* The address a name holds, plus an offset. */
#define ADDR(slot, off) ((char *)(uintptr_t)(S->b[slot].value + (off)))

/* ---- output: one write(2) per line ---- */

static inline void vsay(const char *prefix, const char *fmt, va_list ap)
{
	char line[8192];
	int n = snprintf(line, sizeof(line), "%s", prefix);

	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(1, line, (size_t)n) < 0)
		_exit(4);
}

static inline void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("", fmt, ap);
	va_end(ap);
}

static inline void diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("# ", fmt, ap);
	va_end(ap);
}

/* The program itself broke: say why, stop every process, exit 2. */
static inline void __attribute__((noreturn)) bail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("Bail out! ", fmt, ap);
	va_end(ap);
	if (S) {
		__atomic_store_n(&S->broken, 1, __ATOMIC_RELEASE);
		__atomic_add_fetch(&S->turn, 0x10000000, __ATOMIC_RELEASE);
		syscall(SYS_futex, &S->turn, FUTEX_WAKE, INT32_MAX, NULL, NULL, 0);
	}
	_exit(2);
}

/* The host cannot run this program: "1..0 # SKIP reason", exit 0 (before any step). */
static inline void __attribute__((noreturn)) skip_all(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("1..0 # SKIP ", fmt, ap);
	va_end(ap);
	exit(0);
}

/* ---- turns ---- */

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void (*turn_watch)(void);  /* the supervisor checks on the processes while it waits */
static void (*turn_broken)(void); /* the supervisor reports what it has when a process bails */

/* Sleep until step n may run; a bail-out elsewhere ends this process quietly. */
static inline void turn_wait(uint32_t n)
{
	struct timespec tick = { .tv_sec = 0, .tv_nsec = 50 * 1000 * 1000 };
	uint64_t deadline = now_ns() + TURN_LIMIT_S * 1000000000ULL;
	uint32_t cur;

	while ((cur = __atomic_load_n(&S->turn, __ATOMIC_ACQUIRE)) != n) {
		if (__atomic_load_n(&S->broken, __ATOMIC_ACQUIRE)) {
			if (turn_broken)
				turn_broken();
			_exit(3);
		}
		if (now_ns() > deadline)
			bail("waited %d s for step %u (the program is at step %u)", TURN_LIMIT_S, n, cur);
		if (turn_watch)
			turn_watch();
		syscall(SYS_futex, &S->turn, FUTEX_WAIT, cur, &tick, NULL, 0);
	}
}

/*
 * Sleep until step n or a later one runs: a step that waits in the kernel (a userfaultfd fault
 * or read) starts with the steps of another thread and finishes in its own turn.
 */
static inline void turn_reach(uint32_t n)
{
	struct timespec tick = { .tv_sec = 0, .tv_nsec = 50 * 1000 * 1000 };
	uint64_t deadline = now_ns() + TURN_LIMIT_S * 1000000000ULL;
	uint32_t cur;

	while ((cur = __atomic_load_n(&S->turn, __ATOMIC_ACQUIRE)) < n) {
		if (now_ns() > deadline)
			bail("waited %d s for step %u (the program is at step %u)", TURN_LIMIT_S, n, cur);
		if (turn_watch)
			turn_watch();
		syscall(SYS_futex, &S->turn, FUTEX_WAIT, cur, &tick, NULL, 0);
	}
	if (__atomic_load_n(&S->broken, __ATOMIC_ACQUIRE)) {
		if (turn_broken)
			turn_broken();
		_exit(3);
	}
}

/* Step n may run now. */
static inline void turn_set(uint32_t n)
{
	__atomic_store_n(&S->turn, n, __ATOMIC_RELEASE);
	syscall(SYS_futex, &S->turn, FUTEX_WAKE, INT32_MAX, NULL, NULL, 0);
}

/* ---- bound names ---- */

/* A system call's result as the kernel returns it: the value, or a negative errno. */
static inline int64_t sys(long r)
{
	return r < 0 ? -(int64_t)errno : (int64_t)r;
}

static inline void bind(int b, int64_t value, int64_t ret)
{
	S->b[b].value = value;
	S->b[b].ret = ret;
	S->b[b].npages = -1; /* a number, even where contents were expected */
	S->b[b].bound = 1;
}

/* Bind page contents (one value per 4 KiB page); a failed call binds its errno instead. */
static inline void bind_pages(int b, const int16_t *v, int n, int64_t ret)
{
	if (ret < 0) {
		bind(b, ret, ret);
		return;
	}
	if (n > S->b[b].cap)
		bail("%s: %d pages do not fit the %d reserved", bound_name[b], n, S->b[b].cap);
	memcpy(&S->pages[S->b[b].first], v, (size_t)n * sizeof(*v));
	S->b[b].npages = n;
	S->b[b].ret = ret;
	S->b[b].bound = 1;
}

/* ---- values compared by expectations ---- */

struct val {
	int64_t v;	     /* a scalar, when n == 0 */
	int n;		     /* > 0: page contents */
	const int16_t *pages;
};

static inline struct val scalar(int64_t v)
{
	return (struct val){ .v = v };
}

static inline struct val contents(const int16_t *pages, int n)
{
	return (struct val){ .n = n, .pages = pages };
}

static inline struct val value_of(int b)
{
	if (!S->b[b].bound)
		bail("%s is used before it is bound", bound_name[b]);
	if (S->b[b].first >= 0 && S->b[b].npages >= 0)
		return contents(&S->pages[S->b[b].first], S->b[b].npages);
	return scalar(S->b[b].value);
}

static inline struct val ret_of(int b)
{
	if (!S->b[b].bound)
		bail("%s is used before it is bound", bound_name[b]);
	return scalar(S->b[b].ret);
}

/* The one value every page holds, or MIXED. */
static inline int64_t uniform(struct val a)
{
	for (int i = 1; i < a.n; i++)
		if (a.pages[i] != a.pages[0])
			return MIXED;
	return a.n ? a.pages[0] : MIXED;
}

/* Equal as the model compares: contents that are one value equal that value. */
static inline int val_eq(struct val a, struct val b)
{
	if (!a.n && !b.n)
		return a.v == b.v;
	if (!a.n || !b.n)
		return uniform(a.n ? a : b) == (a.n ? b.v : a.v) && (a.n ? b.v : a.v) >= 0;
	if (uniform(a) >= 0 && uniform(b) >= 0)
		return uniform(a) == uniform(b);
	if (a.n != b.n)
		return 0;
	for (int i = 0; i < a.n; i++)
		if (a.pages[i] != b.pages[i] || a.pages[i] < 0)
			return 0;
	return 1;
}

static inline void show(char *out, size_t len, struct val a)
{
	int n = 0;

	if (!a.n) {
		snprintf(out, len, "%lld", (long long)a.v);
		return;
	}
	for (int i = 0; i < a.n && n < (int)len - 16; i++)
		n += snprintf(out + n, len - (size_t)n, "%s%d", i ? "," : "[", a.pages[i]);
	snprintf(out + n, len - (size_t)n, "]");
}

/* ---- TAP: one line per expectation ---- */

static inline void tap(int ok, const char *where, const char *msg, const char *skip)
{
	S->tap_count++;
	if (!ok)
		S->tap_failed++;
	diag("expect %s", where);
	if (skip)
		say("ok %d - %s # SKIP %s", S->tap_count, msg, skip);
	else
		say("%sok %d - %s", ok ? "" : "not ", S->tap_count, msg);
}

static inline void expect_eq(const char *where, const char *msg, struct val a, struct val b)
{
	char x[512], y[512];

	if (!val_eq(a, b)) {
		show(x, sizeof(x), a);
		show(y, sizeof(y), b);
		diag("got %s, expected %s", x, y);
	}
	tap(val_eq(a, b), where, msg, NULL);
}

`;
