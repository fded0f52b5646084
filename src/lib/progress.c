/* SPDX-License-Identifier: MPL-2.0 */
/* Progress of long work, for a display: the handle's callback, called at
 * a bounded rate. */
#include <time.h>

#include "internal.h"

#define PROGRESS_EVERY_MS 100

void p11c_db_set_progress(p11c_db *db, p11c_progress_fn fn, void *arg)
{
	if (!db)
		return;
	db->progress = fn;
	db->progress_arg = arg;
	db->progress_at = 0;
	db->progress_what = NULL;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void p11c_progress(p11c_db *db, const char *what, size_t done, size_t total)
{
	if (!db || !db->progress)
		return;
	long long now = now_ms();
	if (done != total && what == db->progress_what && db->progress_at &&
	    now - db->progress_at < PROGRESS_EVERY_MS)
		return;
	db->progress_at = now;
	db->progress_what = done == total ? NULL : what;
	db->progress_done = done;
	db->progress_total = total;
	db->progress(what, done, total, db->progress_arg);
}

void p11c_progress_tick(p11c_db *db)
{
	if (db && db->progress && db->progress_what)
		p11c_progress(db, db->progress_what, db->progress_done, db->progress_total);
}
