/* SPDX-License-Identifier: MPL-2.0 */
/* A progress line on a terminal's stderr for work longer than about a
 * second: "adding certificates: 412/1000 (38/s, 15 s left)", redrawn in
 * place and erased when the step ends or anything else is printed. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define SHOW_AFTER_MS 1000

static struct {
	long long start;  /* ms of the step's first report; 0: none yet */
	const char *what; /* the step being timed */
	int drawn;        /* a line is on the terminal */
} state;

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void cli_progress_clear(void)
{
	if (!state.drawn)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	state.drawn = 0;
}

/* P11CERT_PROGRESS_AFTER_MS: the tests' way to see the line of short work. */
static long long show_after_ms(void)
{
	static long long after = -1;
	if (after < 0) {
		const char *e = getenv("P11CERT_PROGRESS_AFTER_MS");
		char *end;
		long long v = e && *e ? strtoll(e, &end, 10) : -1;
		after = v >= 0 && !*end ? v : SHOW_AFTER_MS;
	}
	return after;
}

static void left_text(char *buf, size_t n, long long secs)
{
	if (secs >= 3600)
		snprintf(buf, n, "%lld h %02lld min", secs / 3600, secs / 60 % 60);
	else if (secs >= 60)
		snprintf(buf, n, "%lld min %02lld s", secs / 60, secs % 60);
	else
		snprintf(buf, n, "%lld s", secs);
}

static void draw(const char *what, size_t done, size_t total, void *arg)
{
	(void)arg;
	long long now = now_ms();
	if (!state.start || state.what != what) {
		cli_progress_clear();
		state.start = now;
		state.what = what;
	}
	if (done == total) { /* the step's end (with total 0: nothing to do) */
		cli_progress_clear();
		state.start = 0;
		return;
	}
	long long ms = now - state.start;
	if (ms < show_after_ms())
		return;
	double rate = done ? (double)done * 1000.0 / (double)ms : 0;
	char line[160], left[32] = "";
	if (total && rate > 0) {
		left_text(left, sizeof(left), (long long)((double)(total - done) / rate + 0.5));
		snprintf(line, sizeof(line), "%s: %zu/%zu (%.0f/s, %s left)", what, done, total,
		         rate, left);
	} else if (total) { /* nothing done yet: how long it has waited */
		snprintf(line, sizeof(line), "%s: %zu/%zu (%lld s)", what, done, total, ms / 1000);
	} else {
		snprintf(line, sizeof(line), "%s: %zu (%.0f/s)", what, done, rate);
	}
	fprintf(stderr, "\r%s\033[K", line);
	fflush(stderr);
	state.drawn = 1;
}

void cli_progress_attach(const cli_globals *g, p11c_db *db)
{
	if (!g->quiet && isatty(STDERR_FILENO))
		p11c_db_set_progress(db, draw, NULL);
}
