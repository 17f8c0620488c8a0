/**
 * A TypeScript scenario (docs/scenario-format.md#typescript-scenarios): a writer downgrades its
 * mmap_lock to a read hold (mmap_write_downgrade, which YAML has no step for), so a reader that
 * queued behind it gets in while the writer still holds the lock for reading. Without the
 * downgrade the two threads would wait for each other.
 */
import { defineScenario, downgrade_write, ops } from 'gupsim';

export default defineScenario({
  scenario: 'mmap-lock-downgrade',
  description:
    'A writer downgrades mmap_lock to read; a reader waiting for it gets in while the writer still holds it',
  tags: ['locks', 'mmap-lock', 'typescript'],
  processes: ['app'],
  threads: {
    writer: {
      *body(ctx) {
        yield* ctx.step(ops.mmap_write_lock, {});
        yield* ctx.signal('locked');
        // include/linux/mmap_lock.h: mmap_write_downgrade(mm) -> downgrade_write(&mm->mmap_lock)
        yield* downgrade_write(ctx.process.mm!.mmap_lock);
        yield* ctx.wait('reader-in'); // the reader shares the lock with us now
        yield* ctx.step(ops.mmap_read_unlock, {});
      },
    },
    reader: {
      process: 'app',
      *body(ctx) {
        yield* ctx.wait('locked');
        const r = yield* ctx.step(ops.mmap_read_lock, {}, { as: 'r' });
        ctx.expect(r.ret === 0, 'mmap_read_lock returns 0');
        yield* ctx.signal('reader-in');
        yield* ctx.step(ops.mmap_read_unlock, {});
      },
    },
  },
});
