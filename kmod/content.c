// SPDX-License-Identifier: GPL-2.0
/*
 * The content (SHA-256) of executed and mapped files, for the sha256
 * selector of exec rules: hashed at most once per version of a file and
 * kept in a bounded cache, which does not depend on the rule table and
 * lives as long as the module.
 *
 * A version is the file's identity (s_dev, i_ino, i_generation, as in the
 * table's identity index) with its size, mtime, ctime and, where the file
 * system keeps it, i_version.  A digest is stored only if the version read
 * before and after hashing is the same and the file's ctime is strictly
 * older than the time hashing started: a write in the same timestamp tick
 * would otherwise leave the version as it was ("racily clean", as git
 * says), and a later exec would reuse the old digest.
 *
 * Lookups never sleep (the mapping decisions look up in the ftrace
 * callback); hashing reads the file with kernel_read() and sleeps, so only
 * the wrappers hash (exec.c).
 */
#include "common.h"

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/hash.h>
#include <linux/iversion.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/time64.h>

#include "compat.h"
#include "content.h"

/* Bytes read from the file at a time. */
#define FTG_CONTENT_CHUNK	(32 * 1024)
/* Entries per bucket; FTG_CONTENT_CACHE_MAX is a multiple. */
#define FTG_CONTENT_WAYS	4
#define FTG_CONTENT_BUCKETS	(FTG_CONTENT_CACHE_MAX / FTG_CONTENT_WAYS)

struct ftg_content_version {
	u64 ino;
	u64 size;
	u64 iversion;
	s64 mtime_sec, ctime_sec;
	u32 mtime_nsec, ctime_nsec;
	u32 dev;
	u32 gen;
};

struct ftg_content_entry {
	struct ftg_content_version v;
	u8 digest[FTG_SHA256_LEN];
	bool used;
};

struct ftg_content_bucket {
	struct ftg_content_entry way[FTG_CONTENT_WAYS];
	u32 next;			/* the way replaced next when full */
};

static struct ftg_content_bucket *ftg_cache;
static DEFINE_SPINLOCK(ftg_cache_lock);

static atomic64_t ftg_content_hits;
static atomic64_t ftg_content_misses;
static atomic64_t ftg_content_hashes;
static atomic64_t ftg_content_unknown;

static void notrace ftg_content_version(const struct inode *inode,
					struct ftg_content_version *v)
{
	struct timespec64 mtime = ftg_inode_mtime(inode);
	struct timespec64 ctime = ftg_inode_ctime(inode);

	memset(v, 0, sizeof(*v));
	v->ino = inode->i_ino;
	v->dev = inode->i_sb->s_dev;
	v->gen = inode->i_generation;
	v->size = i_size_read(inode);
	v->mtime_sec = mtime.tv_sec;
	v->mtime_nsec = mtime.tv_nsec;
	v->ctime_sec = ctime.tv_sec;
	v->ctime_nsec = ctime.tv_nsec;
	if (IS_I_VERSION(inode))
		v->iversion = inode_peek_iversion(inode);
}

static struct ftg_content_bucket *notrace ftg_bucket(const struct ftg_content_version *v)
{
	u64 h = v->ino ^ ((u64)v->dev << 32) ^ v->gen;

	return &ftg_cache[hash_64(h, ilog2(FTG_CONTENT_BUCKETS))];
}

static bool notrace ftg_same_file(const struct ftg_content_version *a,
				  const struct ftg_content_version *b)
{
	return a->ino == b->ino && a->dev == b->dev && a->gen == b->gen;
}

/* The cached digest of the file's current version.  Never sleeps. */
bool notrace ftg_content_cached(struct file *file, u8 *digest)
{
	struct ftg_content_version v;
	struct ftg_content_bucket *b;
	bool hit = false;
	int i;

	if (!ftg_cache)
		return false;
	ftg_content_version(file_inode(file), &v);
	b = ftg_bucket(&v);
	spin_lock(&ftg_cache_lock);
	for (i = 0; i < FTG_CONTENT_WAYS; i++) {
		if (b->way[i].used && !memcmp(&b->way[i].v, &v, sizeof(v))) {
			memcpy(digest, b->way[i].digest, FTG_SHA256_LEN);
			hit = true;
			break;
		}
	}
	spin_unlock(&ftg_cache_lock);
	atomic64_inc(hit ? &ftg_content_hits : &ftg_content_misses);
	return hit;
}

/* Keep a digest: over the file's older version, a free way, or the next. */
static void ftg_content_store(const struct ftg_content_version *v, const u8 *digest)
{
	struct ftg_content_bucket *b = ftg_bucket(v);
	struct ftg_content_entry *e = NULL;
	int i;

	spin_lock(&ftg_cache_lock);
	for (i = 0; i < FTG_CONTENT_WAYS && !e; i++)
		if (b->way[i].used && ftg_same_file(&b->way[i].v, v))
			e = &b->way[i];
	for (i = 0; i < FTG_CONTENT_WAYS && !e; i++)
		if (!b->way[i].used)
			e = &b->way[i];
	if (!e) {
		e = &b->way[b->next];
		b->next = (b->next + 1) % FTG_CONTENT_WAYS;
	}
	e->v = *v;
	memcpy(e->digest, digest, FTG_SHA256_LEN);
	e->used = true;
	spin_unlock(&ftg_cache_lock);
}

static bool ftg_ts_before(s64 sec, u32 nsec, const struct timespec64 *t)
{
	return sec < t->tv_sec || (sec == t->tv_sec && nsec < t->tv_nsec);
}

/* SHA-256 of the whole file into digest; false when it cannot be read. */
static bool ftg_content_read(struct file *file, u64 size, u8 *digest)
{
	struct ftg_sha256_ctx *ctx;
	loff_t pos = 0;
	bool ok = false;
	u8 *buf;

	buf = kmalloc(FTG_CONTENT_CHUNK, GFP_KERNEL);
	ctx = kmalloc(sizeof(*ctx), GFP_KERNEL);
	if (!buf || !ctx)
		goto out;
	sha256_init(ctx);
	for (;;) {
		ssize_t n;

		if (fatal_signal_pending(current))
			goto out;
		n = kernel_read(file, buf, FTG_CONTENT_CHUNK, &pos);
		if (n < 0)
			goto out;
		if (!n)
			break;
		sha256_update(ctx, buf, n);
		if (pos > size)
			goto out;	/* grew while read: not this version */
		cond_resched();
	}
	sha256_final(ctx, digest);
	ok = pos == size;
out:
	kfree_sensitive(ctx);
	kfree(buf);
	return ok;
}

/*
 * The digest of the file as it is now: from the cache, or hashed (and
 * kept when the version is stable).  May sleep.  False when the content is
 * unknown: larger than FTG_CONTENT_SIZE_MAX, unreadable, changing while
 * read, or a fatal signal arrived.
 */
bool ftg_content_hash(struct file *file, u8 *digest)
{
	struct inode *inode = file_inode(file);
	struct ftg_content_version before, after;
	struct timespec64 start;

	if (ftg_content_cached(file, digest))
		return true;
	if (!S_ISREG(inode->i_mode) || i_size_read(inode) > FTG_CONTENT_SIZE_MAX)
		goto unknown;
	if (IS_I_VERSION(inode))
		inode_query_iversion(inode);	/* the next change moves it */
	ftg_content_version(inode, &before);
	start = current_time(inode);
	atomic64_inc(&ftg_content_hashes);
	if (!ftg_content_read(file, before.size, digest))
		goto unknown;
	ftg_content_version(inode, &after);
	if (memcmp(&before, &after, sizeof(before)))
		goto unknown;
	if (ftg_ts_before(before.ctime_sec, before.ctime_nsec, &start))
		ftg_content_store(&before, digest);
	return true;
unknown:
	ftg_content_count_unknown();
	return false;
}

void notrace ftg_content_count_unknown(void)
{
	atomic64_inc(&ftg_content_unknown);
}

void ftg_content_stats(struct ftg_stats *stats)
{
	stats->content_hits = atomic64_read(&ftg_content_hits);
	stats->content_misses = atomic64_read(&ftg_content_misses);
	stats->content_hashes = atomic64_read(&ftg_content_hashes);
	stats->content_unknown = atomic64_read(&ftg_content_unknown);
}

int ftg_content_init(void)
{
	ftg_cache = kvcalloc(FTG_CONTENT_BUCKETS, sizeof(*ftg_cache), GFP_KERNEL);
	return ftg_cache ? 0 : -ENOMEM;
}

/* After the hooks are removed. */
void ftg_content_exit(void)
{
	kvfree(ftg_cache);
	ftg_cache = NULL;
}
