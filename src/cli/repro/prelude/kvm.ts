/**
 * KVM: a VM with a private one-page guest (its own memslot at KVM_CODE_GPA) that does one page
 * access and stops with an OUT; a vCPU per thread and VM, made on the thread's first access, as
 * the model makes it (arch/x86/kvm/x86.ts: kvm_vcpu_of).
 *
 * The guest runs in flat 32-bit protected mode without paging (CR0.PE, every segment base 0,
 * limit 4 GiB, D/B set), so a guest address is a guest-physical address. Its two routines:
 *
 *   read   (KVM_CODE_GPA + 0)   mov al,[esi]; movzx eax,al; mov edi,esi; mov ecx,4096; cld;
 *                               repe scasb; je +5; mov eax,-1; out 0x80,al; hlt
 *                               (eax: the page's one byte value, or -1 when its bytes differ)
 *   write  (KVM_CODE_GPA + 32)  cld; rep stosb; out 0x80,al; hlt   (edi: the page, al: value)
 *
 * The model keeps one value per 4 KiB page: a guest store writes the whole page and a guest load
 * reads it, so the routines do the same. The first byte the routine touches takes the fault.
 */

/** The guest code's memslot: KVM_USER_MEM_SLOTS - 1 (a scenario slot with this id is refused). */
export const KVM_CODE_SLOT = 32763;
/** The guest code's guest-physical address, 3 GiB: scenario slots and accesses keep clear of it. */
export const KVM_CODE_GPA = 0xc0000000;
/** The guest addresses 4 GiB (32-bit, no paging): accesses must lie below. */
export const KVM_GUEST_LIMIT = 2 ** 32;

export const KVM = String.raw`
/* ---- KVM: a VM, its private guest code page, a vCPU per thread, one access per KVM_RUN ---- */

#include <linux/kvm.h>

#define KVM_CODE_SLOT ${KVM_CODE_SLOT}	/* KVM_USER_MEM_SLOTS - 1: the guest code's memslot */
#define KVM_CODE_GPA ${`0x${KVM_CODE_GPA.toString(16)}`}UL	/* its guest-physical address (3 GiB) */
#define KVM_READ_ENTRY 0
#define KVM_WRITE_ENTRY 32
#define KVM_DONE_PORT 0x80

static const unsigned char kvm_guest[] = {
	/* read: */
	0x8a, 0x06,			/* mov al,[esi] */
	0x0f, 0xb6, 0xc0,		/* movzx eax,al */
	0x89, 0xf7,			/* mov edi,esi */
	0xb9, 0x00, 0x10, 0x00, 0x00,	/* mov ecx,4096 */
	0xfc,				/* cld */
	0xf3, 0xae,			/* repe scasb */
	0x74, 0x05,			/* je done */
	0xb8, 0xff, 0xff, 0xff, 0xff,	/* mov eax,-1 */
	0xe6, KVM_DONE_PORT,		/* done: out 0x80,al */
	0xf4,				/* hlt */
	0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90,
	/* write (offset 32): */
	0xfc,				/* cld */
	0xf3, 0xaa,			/* rep stosb */
	0xe6, KVM_DONE_PORT,		/* out 0x80,al */
	0xf4,				/* hlt */
};

#define KVM_SLOTS_SEEN 64

struct kvm_vm {
	int sys, fd;	  /* /dev/kvm, the VM */
	int irqchip;	  /* KVM_CREATE_IRQCHIP made (async page faults possible) */
	uint32_t vcpus;	  /* vCPU ids handed out */
	char *code;
	int nseen;	  /* the memslots the steps made, for the diagnosis of an MMIO exit */
	struct kvm_slot_seen {
		uint32_t slot, flags;
		uint64_t gpa, size;
	} seen[KVM_SLOTS_SEEN];
};

static struct kvm_vm vms[NB]; /* by bound name; a forked child inherits them */

/* This thread's vCPU of each VM (by the VM's bound name), and its binary stats. */
static __thread struct {
	int made, fd, stats;
	struct kvm_run *run;
	size_t len;
	off_t emulated; /* the offset of the insn_emulation counter, or -1 */
} vcpus[NB];

/* The offset of the vCPU counter named name in its stats file (KVM_GET_STATS_FD), or -1. */
static inline off_t kvm_stat_offset(int stats, const char *name)
{
	struct kvm_stats_header h;
	struct kvm_stats_desc *d;
	size_t size;
	off_t found = -1;
	char *all;

	if (stats < 0 || pread(stats, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
		return -1;
	size = sizeof(*d) + h.name_size;
	all = scratch(size * h.num_desc);
	if (pread(stats, all, size * h.num_desc, h.desc_offset) == (ssize_t)(size * h.num_desc))
		for (uint32_t i = 0; i < h.num_desc && found < 0; i++) {
			d = (struct kvm_stats_desc *)(all + i * size);
			if (!strcmp(d->name, name))
				found = (off_t)h.data_offset + d->offset;
		}
	free(all);
	return found;
}

static inline uint64_t kvm_stat(int b)
{
	uint64_t v = 0;

	if (vcpus[b].emulated >= 0 && pread(vcpus[b].stats, &v, sizeof(v), vcpus[b].emulated) != sizeof(v))
		v = 0;
	return v;
}

/* The program skips, saying why, where KVM cannot be used. */
static inline void kvm_ready(void)
{
	int sys = open("/dev/kvm", O_RDWR | O_CLOEXEC), vm;

	if (sys < 0)
		skip_all("/dev/kvm cannot be opened: %s (no KVM on the host, or no access)", strerror(errno));
	vm = ioctl(sys, KVM_CREATE_VM, 0);
	if (vm < 0)
		skip_all("KVM_CREATE_VM: %s", strerror(errno));
	close(vm);
	close(sys);
}

/* KVM_CREATE_VM, then the guest code in a memslot of its own: 0 or a negative errno. */
static inline int64_t kvm_create(struct kvm_vm *v, int irqchip)
{
	struct kvm_userspace_memory_region code;

	v->sys = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (v->sys < 0)
		return -errno;
	v->fd = ioctl(v->sys, KVM_CREATE_VM, 0);
	if (v->fd < 0)
		return -errno;
	/* an in-kernel local APIC and IF=1 let kvm_can_do_async_pf() say yes */
	if (irqchip && ioctl(v->fd, KVM_CREATE_IRQCHIP, 0))
		bail("KVM_CREATE_IRQCHIP: %s", strerror(errno));
	v->irqchip = irqchip;
	v->code = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (v->code == MAP_FAILED)
		bail("mmap of the guest code: %s", strerror(errno));
	memcpy(v->code, kvm_guest, sizeof(kvm_guest));
	memset(&code, 0, sizeof(code));
	code.slot = KVM_CODE_SLOT;
	code.guest_phys_addr = KVM_CODE_GPA;
	code.memory_size = PAGE;
	code.userspace_addr = (uint64_t)(uintptr_t)v->code;
	if (ioctl(v->fd, KVM_SET_USER_MEMORY_REGION, &code))
		bail("KVM_SET_USER_MEMORY_REGION of the guest code: %s", strerror(errno));
	return 0;
}

/* Remember the memslot a successful KVM_SET_USER_MEMORY_REGION made (size 0: deleted it). */
static inline void kvm_note_slot(struct kvm_vm *v, const struct kvm_userspace_memory_region *m, int64_t r)
{
	int i = 0;

	if (r < 0)
		return;
	while (i < v->nseen && v->seen[i].slot != m->slot)
		i++;
	if (i == v->nseen) {
		if (i == KVM_SLOTS_SEEN)
			return;
		v->nseen++;
	}
	v->seen[i].slot = m->slot;
	v->seen[i].flags = m->flags;
	v->seen[i].gpa = m->guest_phys_addr;
	v->seen[i].size = m->memory_size;
}

/* The memslot over gpa as the steps made it, or NULL. */
static inline const struct kvm_slot_seen *kvm_slot_at(const struct kvm_vm *v, uint64_t gpa)
{
	for (int i = 0; i < v->nseen; i++)
		if (gpa >= v->seen[i].gpa && gpa - v->seen[i].gpa < v->seen[i].size)
			return &v->seen[i];
	return NULL;
}

/* KVM_CREATE_VCPU for this thread, its kvm_run, flat 32-bit protected mode: 0 or -errno. */
static inline int64_t kvm_vcpu_make(struct kvm_vm *v, int b)
{
	struct kvm_segment seg;
	struct kvm_sregs sregs;
	int fd = ioctl(v->fd, KVM_CREATE_VCPU, __atomic_fetch_add(&v->vcpus, 1, __ATOMIC_RELAXED));
	long len;

	if (fd < 0)
		return -errno; /* -EIO from a process whose mm is not the VM's */
	len = ioctl(v->sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	vcpus[b].run = len > 0 ? mmap(NULL, (size_t)len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) : MAP_FAILED;
	if (vcpus[b].run == MAP_FAILED)
		bail("mmap of kvm_run: %s", strerror(errno));
	if (ioctl(fd, KVM_GET_SREGS, &sregs))
		bail("KVM_GET_SREGS: %s", strerror(errno));
	memset(&seg, 0, sizeof(seg));
	seg.limit = 0xffffffff;
	seg.present = 1;
	seg.db = 1;
	seg.s = 1;
	seg.g = 1;
	seg.type = 11; /* code: execute/read, accessed */
	seg.selector = 8;
	sregs.cs = seg;
	seg.type = 3; /* data: read/write, accessed */
	seg.selector = 16;
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = seg;
	sregs.cr0 |= 1; /* PE, no PG */
	if (ioctl(fd, KVM_SET_SREGS, &sregs))
		bail("KVM_SET_SREGS: %s", strerror(errno));
	/* with an in-kernel local APIC a vCPU other than the first waits for INIT/SIPI: run it now */
	if (v->irqchip && ioctl(fd, KVM_SET_MP_STATE, &(struct kvm_mp_state){ .mp_state = KVM_MP_STATE_RUNNABLE }))
		bail("KVM_SET_MP_STATE: %s", strerror(errno));
	vcpus[b].fd = fd;
	vcpus[b].len = (size_t)len;
	vcpus[b].stats = ioctl(fd, KVM_GET_STATS_FD, NULL);
	vcpus[b].emulated = kvm_stat_offset(vcpus[b].stats, "insn_emulation");
	vcpus[b].made = 1;
	return 0;
}

/* After an error that leaves an instruction half done, the next access starts on a new vCPU. */
static inline void kvm_vcpu_drop(int b)
{
	munmap(vcpus[b].run, vcpus[b].len);
	if (vcpus[b].stats >= 0)
		close(vcpus[b].stats);
	close(vcpus[b].fd);
	vcpus[b].made = 0;
}

/*
 * One guest access to the page at gpa by this thread's vCPU: KVM_RUN until the guest stops.
 * 0 (*loaded: the page's value, or -1 when its bytes differ) or a negative errno. An access KVM
 * emulates and hands to user space (KVM_EXIT_MMIO: no memslot, a store to a read-only one) is
 * answered as a VMM does: a load gets value in run->mmio.data, a store is taken, and KVM_RUN
 * goes on until the guest's OUT. mmio[]: the first such exit (exit_reason, phys_addr, is_write,
 * data[0]), zeros without one; see emit/kvm_fields.ts.
 */
static inline int64_t kvm_access(struct kvm_vm *v, int b, uint64_t gpa, int write, int value, int64_t *loaded,
				 int64_t mmio[4])
{
	struct kvm_regs regs;
	struct kvm_run *run;
	uint64_t emulated;
	const struct kvm_slot_seen *seen;
	unsigned long exits = 0, odd = 0;
	int64_t r;

	mmio[0] = mmio[1] = mmio[2] = mmio[3] = 0;
	if (!vcpus[b].made && (r = kvm_vcpu_make(v, b)) < 0)
		return r;
	run = vcpus[b].run;
	memset(&regs, 0, sizeof(regs));
	regs.rip = KVM_CODE_GPA + (write ? KVM_WRITE_ENTRY : KVM_READ_ENTRY);
	regs.rflags = v->irqchip ? 0x202 : 0x2;
	regs.rsi = regs.rdi = gpa & ~(uint64_t)(PAGE - 1);
	regs.rcx = PAGE;
	regs.rax = (uint64_t)value;
	if (ioctl(vcpus[b].fd, KVM_SET_REGS, &regs))
		bail("KVM_SET_REGS: %s", strerror(errno));
	emulated = kvm_stat(b);
	for (;;) {
		r = sys(ioctl(vcpus[b].fd, KVM_RUN, 0));
		if (r < 0 || run->exit_reason != KVM_EXIT_MMIO)
			break;
		/* KVM emulated the access and left it to user space: answer it, then run on */
		if (exits++ == 0) {
			mmio[0] = KVM_EXIT_MMIO;
			mmio[1] = (int64_t)run->mmio.phys_addr;
			mmio[2] = run->mmio.is_write;
			mmio[3] = run->mmio.is_write ? run->mmio.data[0] : value;
			diag("KVM_RUN: KVM_EXIT_MMIO, a %s of %u bytes at gpa 0x%llx", run->mmio.is_write ? "store" : "load",
			     run->mmio.len, (unsigned long long)run->mmio.phys_addr);
			seen = kvm_slot_at(v, run->mmio.phys_addr);
			if (seen && !(run->mmio.is_write && (seen->flags & KVM_MEM_READONLY)))
				diag("KVM_RUN: memslot %u covers gpa 0x%llx: this host's KVM emulated an access to slot memory it "
				     "could not reach (unmapped or PROT_NONE at the hva) as MMIO, where mainline KVM with EPT/NPT "
				     "fails KVM_RUN with -EFAULT (kvm_handle_error_pfn), as gupsim does",
				     seen->slot, (unsigned long long)run->mmio.phys_addr);
		}
		if (!run->mmio.is_write)
			memset(run->mmio.data, value, run->mmio.len > 8 ? 8 : run->mmio.len);
		else
			for (uint32_t i = 0; i < run->mmio.len && i < 8; i++)
				odd += run->mmio.data[i] != (uint8_t)value;
		if (exits > 4 * PAGE)
			bail("KVM_RUN: %lu KVM_EXIT_MMIO exits and the guest did not reach its OUT", exits);
	}
	emulated = kvm_stat(b) - emulated;
	if (emulated)
		diag("KVM_RUN: the host emulated %llu guest instructions (its x86 emulator reaches guest "
		     "memory through copy_from_user/copy_to_user on the hva, not hva_to_pfn)",
		     (unsigned long long)emulated);
	if (exits)
		diag("KVM_RUN: %lu KVM_EXIT_MMIO exits in all, each %s 0x%02x, then KVM_RUN again", exits,
		     write ? "a store of" : "answered with", value & 0xff);
	if (odd)
		diag("KVM_RUN: %lu stored MMIO bytes were not 0x%02x", odd, value & 0xff);
	if (r == 0 && run->exit_reason == KVM_EXIT_IO && run->io.port == KVM_DONE_PORT) {
		if (ioctl(vcpus[b].fd, KVM_GET_REGS, &regs))
			bail("KVM_GET_REGS: %s", strerror(errno));
		*loaded = write ? value : (int64_t)(int32_t)regs.rax;
		return 0;
	}
	if (r == 0)
		bail("KVM_RUN: unexpected exit %u (the guest did not reach its OUT)", run->exit_reason);
	diag("KVM_RUN: %s (exit_reason %u)", strerror((int)-r), run->exit_reason);
	/* the instruction is left half done: the thread's next access starts on a new vCPU */
	kvm_vcpu_drop(b);
	return r;
}
`;
