/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The content (SHA-256) of executed and mapped files, hashed once per
 * version and cached (content.c).
 */
#ifndef FTG_CONTENT_H
#define FTG_CONTENT_H

#include <linux/types.h>
#include "include/uapi/ftguard.h"

struct file;
struct ftg_stats;

/* The cached digest of the file's current version.  Never sleeps. */
bool ftg_content_cached(struct file *file, u8 *digest);
/* Cached or hashed now (may sleep); false when the content is unknown. */
bool ftg_content_hash(struct file *file, u8 *digest);
void ftg_content_count_unknown(void);
void ftg_content_stats(struct ftg_stats *stats);
int ftg_content_init(void);
void ftg_content_exit(void);

#endif /* FTG_CONTENT_H */
