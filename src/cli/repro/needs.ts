/**
 * What a scenario needs from the host, and the C that checks it before any step runs: a program
 * whose host falls short prints `1..0 # SKIP reason` and exits 0. The oracle reads the same needs
 * to prepare the host (scratch mounts, swap, hugetlb pages) and to undo it afterwards.
 */
import type { FsType, HugetlbPool, ScenarioSpec, Step, ThpSetting } from '../../scenario/index.js';
import { O_CREAT } from '../../kernel/include/fcntl.js';
import { cString } from './emit/index.js';
import { allSteps } from './refusals.js';

export interface HostNeeds {
  /** File systems the program needs a directory on. */
  readonly fs: readonly FsType[];
  /** Free hugetlb pages per size. */
  readonly hugetlb: readonly HugetlbPool[];
  readonly swap: boolean;
  readonly ioUring: boolean;
  /** Two NUMA nodes, to migrate between. */
  readonly numa: boolean;
  /** The THP policy per size the host must have. */
  readonly thp: readonly ThpSetting[];
  /** /dev/kvm, usable (the KVM steps). */
  readonly kvm: boolean;
}

const IO_URING_OPS = new Set([
  'pin_user_pages_fast',
  'unpin_user_pages',
  'unpin_user_page',
  'unpin_user_pages_dirty_lock',
  'kernel_read',
  'io_uring_register_buffers',
  'io_uring_write_fixed',
  'io_uring_unregister_buffers',
]);

export const FS_DIRS: Readonly<Record<FsType, { env: string; magic: number; fallback?: string }>> =
  {
    tmpfs: { env: 'GUPSIM_DIR_TMPFS', magic: 0x01021994, fallback: '/dev/shm' },
    ext4: { env: 'GUPSIM_DIR_EXT4', magic: 0xef53 },
    xfs: { env: 'GUPSIM_DIR_XFS', magic: 0x58465342 },
    btrfs: { env: 'GUPSIM_DIR_BTRFS', magic: 0x9123683e },
    hugetlbfs: { env: 'GUPSIM_DIR_HUGETLBFS', magic: 0x958458f6 },
  };

function fsOfOpen(spec: ScenarioSpec, step: Step): FsType | undefined {
  const path = step.args['path'] as string;
  const declared = spec.files.find((f) => f.path === path);
  if (declared !== undefined) return declared.fs;
  const flags = step.args['flags'] as { value: number };
  if ((flags.value & O_CREAT) === 0) return undefined;
  return (step.args['fs'] as FsType | undefined) ?? 'tmpfs';
}

export function hostNeeds(spec: ScenarioSpec): HostNeeds {
  const steps = allSteps(spec);
  const fs = new Set<FsType>(spec.files.map((f) => f.fs));
  for (const s of steps) {
    if (s.op !== 'open') continue;
    const type = fsOfOpen(spec, s);
    if (type !== undefined) fs.add(type);
  }
  const pins = (s: Step): boolean =>
    IO_URING_OPS.has(s.op) || (s.op === 'expect' && s.args['pages'] !== undefined);
  return {
    fs: [...fs].sort(),
    hugetlb: spec.machine.hugetlb.filter((h) => h.pages > 0),
    swap: spec.machine.swap > 0,
    ioUring: steps.some(pins),
    numa: steps.some((s) => s.op === 'migrate_pages'),
    thp: spec.machine.thp,
    kvm: steps.some((s) => s.op.startsWith('kvm_')),
  };
}

/** The C body of `host_ready()`. */
export function hostReadyLines(needs: HostNeeds): string[] {
  const lines = [
    'struct utsname u;',
    'int major = 0, minor = 0;',
    '',
    'if (uname(&u) == 0)',
    '\tsscanf(u.release, "%d.%d", &major, &minor);',
    'if (major < 6 || (major == 6 && minor < 18))',
    '\tskip_all("host kernel %s is older than the modelled baseline (6.18)", u.release);',
  ];
  for (const t of needs.thp) lines.push(`thp_ready(${t.size / 1024}, ${cString(t.policy)});`);
  for (const h of needs.hugetlb) lines.push(`hugetlb_ready(${h.size / 1024}, ${h.pages});`);
  if (needs.swap) lines.push('swap_ready();');
  if (needs.ioUring) lines.push('io_uring_ready();');
  if (needs.kvm) lines.push('kvm_ready();');
  if (needs.numa)
    lines.push(
      'int nodes[2];',
      'if (online_nodes(nodes, 2) < 2)',
      '\tskip_all("the host has one NUMA node: move_pages(2) has no other node to migrate to");',
    );
  return lines;
}

/** The C of the checks host_ready() calls. */
export const READY_HELPERS = String.raw`/* ---- what the host must have ---- */

/* The selected word of a sysfs mode file ("always [madvise] never" -> "madvise"), or NULL. */
static inline const char *sysfs_mode(const char *path, char *out, size_t len)
{
	char line[256], *l, *r;
	FILE *f = fopen(path, "r");

	if (!f)
		return NULL;
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	l = strchr(line, '[');
	r = l ? strchr(l, ']') : NULL;
	if (!r)
		return NULL;
	*r = '\0';
	snprintf(out, len, "%s", l + 1);
	return out;
}

/* The THP policy the host applies to anonymous folios of kib KiB. */
static inline const char *thp_policy(unsigned kib, char *out, size_t len)
{
	const char *top = "/sys/kernel/mm/transparent_hugepage/enabled";
	char path[128];

	snprintf(path, sizeof(path), "/sys/kernel/mm/transparent_hugepage/hugepages-%ukB/enabled", kib);
	if (!sysfs_mode(path, out, len))
		return kib == 2048 && sysfs_mode(top, out, len) ? out : "never";
	if (!strcmp(out, "inherit"))
		return sysfs_mode(top, out, len) ? out : "never";
	return out;
}

static inline void thp_ready(unsigned kib, const char *want)
{
	char buf[32];
	const char *have = thp_policy(kib, buf, sizeof(buf));

	if (strcmp(have, want))
		skip_all("the scenario's THP policy for %u KiB is %s, the host's is %s "
			 "(/sys/kernel/mm/transparent_hugepage)", kib, want, have);
}

static inline long read_long(const char *path)
{
	char buf[64];
	int fd = open(path, O_RDONLY);
	long n = fd < 0 ? -1 : (long)read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

static inline void hugetlb_ready(unsigned kib, long pages)
{
	char path[128];
	long free;

	snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%ukB/free_hugepages", kib);
	free = read_long(path);
	if (free < pages)
		skip_all("the scenario needs %ld free %u KiB hugetlb pages, the host has %ld "
			 "(raise /sys/kernel/mm/hugepages/hugepages-%ukB/nr_hugepages)",
			 pages, kib, free < 0 ? 0 : free, kib);
}

static inline void swap_ready(void)
{
	char line[256];
	int n = 0;
	FILE *f = fopen("/proc/swaps", "r");

	while (f && fgets(line, sizeof(line), f))
		n++;
	if (f)
		fclose(f);
	if (n < 2)
		skip_all("the scenario has swap and the host has none (swapon)");
}

static inline void io_uring_ready(void)
{
	if (syscall(__NR_io_uring_setup, 0, NULL) < 0 && (errno == ENOSYS || errno == EPERM))
		skip_all("io_uring is not available: %s (kernel.io_uring_disabled?)", strerror(errno));
}
`;
