// Scenario texts shared by the loader tests. Kept as strings so that formatters leave them
// exactly as written: SHAPE_YAML is the "Shape" example of the format contract, verbatim.

export const SHAPE_YAML = `scenario: cow-ro-pin-shared-anon          # required; [a-z0-9][a-z0-9-]*
description: R/O longterm pin on a COW-shared anon page stays coherent   # optional
kernel:                                    # optional
  quirks: [dirty-cow]                      # historical behaviours to switch on, by id (default none)
machine:                                   # optional; every key has a default
  memory: 64MiB                            # RAM (default 64MiB)
  movable: 0                               # ZONE_MOVABLE carved out of memory (default 0)
  cma: 0                                   # CMA area carved out of memory (default 0)
  thp: madvise                             # never | madvise | always (default madvise): the PMD-size policy
  # thp may also be a map of THP size to policy, like the kernel's per-size sysfs knobs
  # (hugepages-<size>kB/enabled): thp: { 2MiB: never, 64KiB: always }. Sizes are powers of two
  # from 16KiB to 2MiB; a size not named keeps its default (2MiB: madvise, the others: never).
  hugetlb: { 2MiB: 4 }                     # free hugetlb pages per size, 2MiB and 1GiB (default none)
  swap: 0                                  # swap space (default 0 = no swap)
files:                                     # optional; files present at start, keyed by path
  passwd: { fs: ext4, size: 4KiB, fill: 0x11, mode: ro }   # mode ro: no process may open it for writing
processes: [parent]                        # optional; processes present at start (default [init])
threads:                                   # required; name -> thread
  main:
    process: parent                        # the process it runs in (default: the first process)
    steps:                                 # executed in order; threads interleave between steps
      - mmap: { as: buf, length: 4KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_PRIVATE, MAP_ANONYMOUS] }
      - memset: { addr: buf, length: 4KiB, value: 0x01 }
      - fork: { as: child }
      - pin_user_pages: { start: buf, nr_pages: 1, gup_flags: [FOLL_LONGTERM], as: p }
      - expect: { value: p.ret, equals: 1 }
      - memset: { addr: buf, length: 4KiB, value: 0xff }
      - expect: { pages: p, contents: 0xff }
      - unpin_user_pages: { pages: p }
      - exit: { process: child }
expect:                                    # optional; checked at the end of every execution
  violations: none                         # \`none\` (default), \`any\`, or a list of checker ids that must be reported
`;

/** The Shape example as JSON (sizes and hex as strings, since JSON has no such numbers). */
export const SHAPE_JSON = `{
  "scenario": "cow-ro-pin-shared-anon",
  "description": "R/O longterm pin on a COW-shared anon page stays coherent",
  "kernel": {
    "quirks": [
      "dirty-cow"
    ]
  },
  "machine": {
    "memory": "64MiB",
    "movable": 0,
    "cma": 0,
    "thp": "madvise",
    "hugetlb": {
      "2MiB": 4
    },
    "swap": 0
  },
  "files": {
    "passwd": {
      "fs": "ext4",
      "size": "4KiB",
      "fill": "0x11",
      "mode": "ro"
    }
  },
  "processes": [
    "parent"
  ],
  "threads": {
    "main": {
      "process": "parent",
      "steps": [
        {
          "mmap": {
            "as": "buf",
            "length": "4KiB",
            "prot": [
              "PROT_READ",
              "PROT_WRITE"
            ],
            "flags": [
              "MAP_PRIVATE",
              "MAP_ANONYMOUS"
            ]
          }
        },
        {
          "memset": {
            "addr": "buf",
            "length": "4KiB",
            "value": 1
          }
        },
        {
          "fork": {
            "as": "child"
          }
        },
        {
          "pin_user_pages": {
            "start": "buf",
            "nr_pages": 1,
            "gup_flags": [
              "FOLL_LONGTERM"
            ],
            "as": "p"
          }
        },
        {
          "expect": {
            "value": "p.ret",
            "equals": 1
          }
        },
        {
          "memset": {
            "addr": "buf",
            "length": "4KiB",
            "value": 255
          }
        },
        {
          "expect": {
            "pages": "p",
            "contents": 255
          }
        },
        {
          "unpin_user_pages": {
            "pages": "p"
          }
        },
        {
          "exit": {
            "process": "child"
          }
        }
      ]
    }
  },
  "expect": {
    "violations": "none"
  }
}
`;

/** Every section and most value forms, two threads synchronised by signal/wait. */
export const SYNC_YAML = `scenario: fuzz-base
machine:
  memory: 128MiB
  movable: 32MiB
  cma: 8MiB
  thp: { 2MiB: always, 64KiB: madvise }
  hugetlb: { 2MiB: 2, 1GiB: 0 }
  swap: 16MiB
files:
  data: { fs: xfs, size: 8KiB, fill: 7 }
  huge: { fs: hugetlbfs, size: 2MiB }
processes: [parent, helper]
threads:
  main:
    process: parent
    steps:
      - mmap: { as: buf, length: 8KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_SHARED, MAP_ANONYMOUS] }
      - open: { as: f, path: data, flags: [O_RDWR, O_DIRECT] }
      - pread: { fd: f, offset: 0x1000, length: 4KiB, addr: buf+4KiB }
      - signal: mapped
      - wait: pinned
      - repeat:
          times: 2
          steps:
            - memset: { addr: buf, length: 4KiB, value: 0x5a }
            - read: { as: contents, addr: buf, length: 8KiB }
      - expect: { value: contents, equals: [0x5a, 7] }
      - process_vm_writev: { pid: helper, local: buf, remote: buf, length: 4KiB, as: w }
      - expect: { value: w.ret, equals: -EFAULT }
  remote:
    process: helper
    steps:
      - wait: mapped
      - pin_user_pages_remote: { process: parent, as: p, start: buf, nr_pages: 2, gup_flags: [FOLL_WRITE, FOLL_LONGTERM], locked: 1 }
      - expect: { value: p.locked, equals: 1 }
      - signal: pinned
      - dma_write: { pages: p, value: 0xff }
      - unpin_user_pages_dirty_lock: { pages: p, make_dirty: true }
      - kill: { thread: main, signal: SIGKILL }
expect:
  violations: [pin-leak]
`;
