/**
 * The reproducer's harness, second part: user stores and loads with faults caught, scratch
 * buffers, waiting for a process to be gone, pipes, /proc writes, the JSON of the bound names.
 */
export const CORE_ACCESS = String.raw`/* ---- user stores and loads, page by page; a fault becomes -EFAULT ---- */

static __thread sigjmp_buf fault_jump;
static __thread volatile sig_atomic_t fault_armed, fault_signal;

static inline void on_fault(int sig)
{
	if (fault_armed) {
		fault_armed = 0;
		fault_signal = sig;
		siglongjmp(fault_jump, 1);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static inline void catch_faults(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fault;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
}

static inline const char *fault_name(void)
{
	return fault_signal == SIGBUS ? "SIGBUS" : "SIGSEGV";
}

/* The value of one page's bytes: the byte they all hold, or MIXED. */
static inline int16_t page_value(const volatile unsigned char *p, size_t len)
{
	unsigned char first = p[0];

	for (size_t i = 1; i < len; i++)
		if (p[i] != first)
			return MIXED;
	return first;
}

/* A user-space store of value into [p, p + len), page by page; 0 or -EFAULT. */
static inline int64_t user_store(char *p, size_t len, int value)
{
	fault_armed = 1;
	if (sigsetjmp(fault_jump, 1)) {
		diag("the store faulted: %s", fault_name());
		return -EFAULT;
	}
	for (size_t off = 0; off < len; off += PAGE)
		memset(p + off, value, len - off < PAGE ? len - off : PAGE);
	fault_armed = 0;
	return 0;
}

/* A user-space load of [p, p + len) into page values; 0 or -EFAULT. */
static inline int64_t user_load(const char *p, size_t len, int16_t *out)
{
	fault_armed = 1;
	if (sigsetjmp(fault_jump, 1)) {
		diag("the load faulted: %s", fault_name());
		return -EFAULT;
	}
	for (size_t off = 0; off < len; off += PAGE)
		out[off / PAGE] = page_value((const volatile unsigned char *)p + off,
					     len - off < PAGE ? len - off : PAGE);
	fault_armed = 0;
	return 0;
}

/* Page values of a buffer the program filled itself (a pread, a pipe). */
static inline int buffer_pages(const char *buf, size_t len, int16_t *out)
{
	for (size_t off = 0; off < len; off += PAGE)
		out[off / PAGE] = page_value((const unsigned char *)buf + off,
					     len - off < PAGE ? len - off : PAGE);
	return (int)((len + PAGE - 1) / PAGE);
}

static inline void *scratch(size_t len)
{
	void *p = NULL;

	if (posix_memalign(&p, PAGE, len ? len : PAGE))
		bail("posix_memalign(%zu): out of memory", len);
	return p;
}

/* ---- processes ---- */

static inline int pidfd_of(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* Wait until process pid is gone (its address space torn down); pid may be no child of ours. */
static inline void await_exit(pid_t pid, const char *name)
{
	int fd = pidfd_of(pid);
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (fd < 0)
		return; /* already reaped: gone */
	if (poll(&p, 1, TURN_LIMIT_S * 1000) != 1)
		bail("process %s (pid %d) did not exit", name, (int)pid);
	close(fd);
}

static inline void __attribute__((noreturn)) end_process(uint32_t end_turn)
{
	turn_wait(end_turn);
	_exit(0);
}

/* A pipe that holds len bytes (F_SETPIPE_SZ above the default 64 KiB). */
static inline void make_pipe(int fds[2], size_t len)
{
	if (pipe2(fds, 0))
		bail("pipe2: %s", strerror(errno));
	if (len > 16 * PAGE && fcntl(fds[1], F_SETPIPE_SZ, (int)len) < 0)
		bail("F_SETPIPE_SZ %zu: %s (fs.pipe-max-size)", len, strerror(errno));
}

/* The pipe a vmsplice step binds, made by the supervisor before any process starts. */
static inline void pipe_for(int b, size_t len)
{
	int fds[2];

	make_pipe(fds, len);
	S->b[b].value = fds[0];
	S->b[b].aux = fds[1];
}

/* write(2) of text to a /proc file: the byte count, or a negative errno. */
static inline int64_t write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	int64_t r = fd < 0 ? -(int64_t)errno : sys(write(fd, text, strlen(text)));

	if (fd >= 0)
		close(fd);
	return r;
}

/* ---- the bound names as one JSON object ---- */

static char json[1 << 20];
static size_t json_len;

static inline void jput(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	json_len += (size_t)vsnprintf(json + json_len, sizeof(json) - json_len, fmt, ap);
	va_end(ap);
	if (json_len >= sizeof(json))
		json_len = sizeof(json) - 1;
}

/* "NAME": value and "NAME.ret": ret, if NAME was bound; an address is a hex string. */
static inline void json_bound(int b, int address)
{
	struct slot *s = &S->b[b];

	if (!s->bound)
		return;
	jput("%s\"%s\":", json_len > 1 ? "," : "", bound_name[b]);
	if (s->first >= 0 && s->npages >= 0) {
		struct val v = value_of(b);

		if (uniform(v) >= 0) {
			jput("%lld", (long long)uniform(v));
		} else {
			jput("[");
			for (int i = 0; i < v.n; i++)
				jput("%s%d", i ? "," : "", v.pages[i]);
			jput("]");
		}
	} else if (address) {
		jput(s->value ? "\"0x%llx\"" : "null", (unsigned long long)s->value);
	} else {
		jput("%lld", (long long)s->value);
	}
	jput(",\"%s.ret\":%lld", bound_name[b], (long long)s->ret);
}
`;
