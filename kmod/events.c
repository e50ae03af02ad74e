// SPDX-License-Identifier: GPL-2.0
/*
 * Event transport: the kernel's lockless per-CPU ring buffer (the one
 * ftrace uses), in non-overwrite mode so that a full buffer drops the new
 * record, counted, and never the ones a reader has not seen.  Readers sleep
 * on a wait queue; producers wake them through irq_work, which is safe from
 * any context the hooks run in.
 */
#include "common.h"

#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/irq_work.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/ring_buffer.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>
#include <linux/wait.h>

#include "events.h"

/* Bytes a single read() gathers before copying to the reader. */
#define FTG_READ_CHUNK	(64 * 1024)

struct ftg_counters {
	u64 produced;
	u64 delivered;
	u64 dropped[FTG_DROP_REASONS];
};

static struct trace_buffer *ftg_rb;
static DEFINE_PER_CPU(struct ftg_counters, ftg_counters);
static atomic64_t ftg_seq = ATOMIC64_INIT(0);

static DECLARE_WAIT_QUEUE_HEAD(ftg_readers);
/* Lockless: READ_ONCE() and WRITE_ONCE(). */
static bool ftg_readers_waiting;
static struct irq_work ftg_wake_work;

/* The reader side: one read() at a time drains the buffer. */
static DEFINE_MUTEX(ftg_read_lock);
/* Protected by ftg_read_lock. */
static char *ftg_read_buf;
/* Protected by ftg_read_lock; nr_cpu_ids entries. */
static struct ring_buffer_event **ftg_heads;

static void ftg_wake_readers(struct irq_work *work)
{
	wake_up_all(&ftg_readers);
}

void ftg_count_drop(enum ftg_drop_reason reason)
{
	this_cpu_inc(ftg_counters.dropped[reason]);
}

void notrace ftg_stamp_now(struct ftg_stamp *stamp)
{
	stamp->mono_ns = ktime_get_ns();
	stamp->wall_ns = ktime_get_real_ns();
}

void notrace ftg_fill_header(struct ftg_event_header *hdr, u16 type, size_t size,
			     const struct ftg_stamp *stamp)
{
	const struct cred *cred = current_cred();

	BUILD_BUG_ON(sizeof(hdr->comm) != TASK_COMM_LEN);
	hdr->type = type;
	hdr->size = ALIGN(size, FTG_RECORD_ALIGN);
	hdr->cpu = raw_smp_processor_id();
	hdr->mono_ns = stamp->mono_ns;
	hdr->wall_ns = stamp->wall_ns;
	hdr->pid = task_pid_nr(current);
	hdr->tgid = task_tgid_nr(current);
	rcu_read_lock();
	hdr->ppid = task_tgid_nr(rcu_dereference(current->real_parent));
#ifdef CONFIG_CGROUPS
	hdr->cgroup_id = cgroup_id(task_dfl_cgroup(current));
#endif
	rcu_read_unlock();
	hdr->uid = from_kuid_munged(&init_user_ns, cred->uid);
	hdr->gid = from_kgid_munged(&init_user_ns, cred->gid);
	hdr->euid = from_kuid_munged(&init_user_ns, cred->euid);
	/* As the scheduler's tracepoints do: no task lock on this path. */
	memcpy(hdr->comm, current->comm, sizeof(hdr->comm));
	hdr->comm[sizeof(hdr->comm) - 1] = '\0';
}

/*
 * Write a filled record.  The caller's buffer must hold hdr->size bytes
 * (the padding after the payload included, zeroed).  Never sleeps.
 */
void notrace ftg_emit(struct ftg_event_header *hdr)
{
	if (WARN_ON_ONCE(hdr->size > FTG_RECORD_MAX))
		return;
	hdr->seq = atomic64_inc_return(&ftg_seq);
	if (ring_buffer_write(ftg_rb, hdr->size, hdr)) {
		ftg_count_drop(FTG_DROP_BUFFER_FULL);
		return;
	}
	this_cpu_inc(ftg_counters.produced);
	/*
	 * Order the committed record before reading the flag; pairs with the
	 * barrier in ftg_reader_should_wake(), which orders the flag before
	 * looking at the buffer.
	 */
	smp_mb();
	if (READ_ONCE(ftg_readers_waiting)) {
		WRITE_ONCE(ftg_readers_waiting, false);
		irq_work_queue(&ftg_wake_work);
	}
}

/*
 * Tell producers a reader is about to sleep, then look: either the reader
 * sees the record or the producer sees the flag.
 */
static bool ftg_reader_should_wake(void)
{
	WRITE_ONCE(ftg_readers_waiting, true);
	/* Order the flag before looking at the buffer; see ftg_emit(). */
	smp_mb();
	return !ring_buffer_empty(ftg_rb);
}

static const struct ftg_event_header *ftg_head_record(int cpu)
{
	struct ring_buffer_event *event = ftg_heads[cpu];

	return event ? ring_buffer_event_data(event) : NULL;
}

/*
 * Move whole records, oldest first across CPUs, into ftg_read_buf.
 * Returns the bytes gathered; *records counts them.
 */
static size_t ftg_gather(size_t cap, u64 *records)
{
	size_t used = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		ftg_heads[cpu] = ring_buffer_peek(ftg_rb, cpu, NULL, NULL);

	for (;;) {
		const struct ftg_event_header *rec, *oldest = NULL;
		int oldest_cpu = -1;

		for_each_possible_cpu(cpu) {
			rec = ftg_head_record(cpu);
			if (rec && (!oldest || rec->mono_ns < oldest->mono_ns)) {
				oldest = rec;
				oldest_cpu = cpu;
			}
		}
		if (!oldest || used + oldest->size > cap)
			break;
		memcpy(ftg_read_buf + used, oldest, oldest->size);
		used += oldest->size;
		(*records)++;
		ring_buffer_consume(ftg_rb, oldest_cpu, NULL, NULL);
		ftg_heads[oldest_cpu] = ring_buffer_peek(ftg_rb, oldest_cpu, NULL, NULL);
	}
	return used;
}

ssize_t ftg_events_read(char __user *ubuf, size_t len, bool nonblock)
{
	size_t cap = min_t(size_t, len, FTG_READ_CHUNK);
	u64 records;
	size_t n;
	int err;

	if (len < FTG_RECORD_MAX)
		return -EINVAL;

	for (;;) {
		if (mutex_lock_interruptible(&ftg_read_lock))
			return -ERESTARTSYS;
		records = 0;
		n = ftg_gather(cap, &records);
		if (n) {
			if (copy_to_user(ubuf, ftg_read_buf, n)) {
				this_cpu_add(ftg_counters.dropped[FTG_DROP_READER_FAULT], records);
				mutex_unlock(&ftg_read_lock);
				return -EFAULT;
			}
			this_cpu_add(ftg_counters.delivered, records);
			mutex_unlock(&ftg_read_lock);
			return n;
		}
		mutex_unlock(&ftg_read_lock);
		if (nonblock)
			return -EAGAIN;
		err = wait_event_interruptible(ftg_readers, ftg_reader_should_wake());
		if (err)
			return err;
	}
}

__poll_t ftg_events_poll(struct file *file, poll_table *wait)
{
	poll_wait(file, &ftg_readers, wait);
	return ftg_reader_should_wake() ? EPOLLIN | EPOLLRDNORM : 0;
}

void ftg_events_stats(struct ftg_stats *stats)
{
	int cpu, i;

	for_each_possible_cpu(cpu) {
		const struct ftg_counters *c = per_cpu_ptr(&ftg_counters, cpu);

		stats->produced += c->produced;
		stats->delivered += c->delivered;
		for (i = 0; i < FTG_DROP_REASONS; i++)
			stats->dropped[i] += c->dropped[i];
		stats->buffer_bytes += ring_buffer_size(ftg_rb, cpu);
	}
	stats->buffer_entries = ring_buffer_entries(ftg_rb);
}

int ftg_events_init(unsigned long buffer_kb)
{
	ftg_heads = kcalloc(nr_cpu_ids, sizeof(*ftg_heads), GFP_KERNEL);
	ftg_read_buf = kvmalloc(FTG_READ_CHUNK, GFP_KERNEL);
	if (!ftg_heads || !ftg_read_buf)
		goto nomem;
	/* Non-overwrite: a full buffer refuses new records. */
	ftg_rb = ring_buffer_alloc(buffer_kb * 1024, 0);
	if (!ftg_rb)
		goto nomem;
	init_irq_work(&ftg_wake_work, ftg_wake_readers);
	return 0;

nomem:
	kvfree(ftg_read_buf);
	kfree(ftg_heads);
	return -ENOMEM;
}

/* Called once no hook can produce any more and no reader is left. */
void ftg_events_exit(void)
{
	irq_work_sync(&ftg_wake_work);
	ring_buffer_free(ftg_rb);
	kvfree(ftg_read_buf);
	kfree(ftg_heads);
}
