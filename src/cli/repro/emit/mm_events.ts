/** migrate_pages (move_pages(2) to another node) and writeback (sync_file_range(2)). */
import { argsOf } from '../../../scenario/index.js';
import { migrate_pages, writeback } from '../../../scenario/ops/index.js';
import { bindLines, cAddr, cHandle, cSize, type Emitter } from './context.js';

export const mmEventEmitters: Readonly<Record<string, Emitter>> = {
  migrate_pages(cx) {
    const a = argsOf(cx.step, migrate_pages);
    cx.need('move_pages');
    return [
      `int64_t r = migrate_range(${cAddr(cx, a.addr)}, ${cSize(a.length)});`,
      ...bindLines(cx, 'r', 'r'),
    ];
  },
  writeback(cx) {
    const a = argsOf(cx.step, writeback);
    const how = 'SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER';
    return [
      `int64_t r = sys(sync_file_range(${cHandle(cx, a.fd)}, 0, 0, ${how}));`,
      ...bindLines(cx, 'r', 'r'),
    ];
  },
};
