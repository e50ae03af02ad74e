/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Event records: filled by the hooks, carried to readers through the
 * kernel's lockless per-CPU ring buffer.  A producer never sleeps or waits
 * for the reader; a record that does not fit is dropped and counted.
 */
#ifndef FTG_EVENTS_H
#define FTG_EVENTS_H

#include <linux/types.h>
#include <linux/poll.h>
#include "include/uapi/ftguard.h"

struct ftg_stamp {
	u64 mono_ns;
	u64 wall_ns;
};

int ftg_events_init(unsigned long buffer_kb);
void ftg_events_exit(void);

void ftg_stamp_now(struct ftg_stamp *stamp);
void ftg_fill_header(struct ftg_event_header *hdr, u16 type, size_t size,
		     const struct ftg_stamp *stamp);
void ftg_emit(struct ftg_event_header *hdr);
void ftg_count_drop(enum ftg_drop_reason reason);

/* Reader side, used by the device. */
ssize_t ftg_events_read(char __user *ubuf, size_t len, bool nonblock);
__poll_t ftg_events_poll(struct file *file, poll_table *wait);
void ftg_events_stats(struct ftg_stats *stats);

#endif /* FTG_EVENTS_H */
