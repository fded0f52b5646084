/* SPDX-License-Identifier: MPL-2.0 */
/* The database's sqlite files and crash safety.
 *
 * NSS writes cert9.db and key4.db with sqlite's rollback journal by default.
 * A process killed in the middle of a transaction leaves a "hot" journal,
 * and sqlite will not let a read-only connection (every NSS server, every
 * read-only p11cert or certutil command) open the file until a writer has
 * rolled it back.  In write-ahead-log mode a killed writer leaves frames that
 * readers simply ignore, and any connection, read-only included, rebuilds
 * the WAL index: the database always opens.  WAL is a property of the file,
 * so NSS's own connections, and certutil's and the servers', use it too.
 *
 * So p11cert (1) rolls back a hot journal it finds before NSS opens the
 * database, and (2) turns the files to WAL mode whenever it has opened them
 * for writing. */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

static const char *const sql_files[] = {"cert9.db", "key4.db"};

/* A journal is hot (needs rolling back) when it has a header: sqlite
 * deletes it, truncates it or zeroes its header at commit. */
static int journal_is_hot(const char *path)
{
	unsigned char head[8] = {0};
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	size_t n = fread(head, 1, sizeof(head), f);
	fclose(f);
	for (size_t i = 0; i < n; i++)
		if (head[i])
			return 1;
	return 0;
}

static sqlite3 *sql_open(const char *path)
{
	sqlite3 *s = NULL;
	if (sqlite3_open_v2(path, &s, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		sqlite3_close(s);
		return NULL;
	}
	sqlite3_busy_timeout(s, 2000);
	return s;
}

/* Run one statement; its first column's text into out when given. */
static int sql_run(sqlite3 *s, const char *sql, char *out, size_t len)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s, sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW && out) {
			const unsigned char *t = sqlite3_column_text(st, 0);
			snprintf(out, len, "%s", t ? (const char *)t : "");
		}
		if (rc == SQLITE_ROW || rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

void p11c_db_recover(p11c_db *db, const char *dir, int *recovered, int *stuck)
{
	char path[4200], journal[4300];
	*recovered = *stuck = 0;
	for (size_t i = 0; i < sizeof(sql_files) / sizeof(sql_files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, sql_files[i]);
		snprintf(journal, sizeof(journal), "%s-journal", path);
		if (!journal_is_hot(journal))
			continue;
		/* Any read through a writable connection rolls a hot journal
		 * back; one that a live writer holds is not hot, and the read
		 * simply waits for it. */
		sqlite3 *s = access(path, W_OK) == 0 ? sql_open(path) : NULL;
		int rc = s ? sql_run(s, "PRAGMA schema_version", NULL, 0) : SQLITE_CANTOPEN;
		sqlite3_close(s);
		if (rc != SQLITE_OK)
			*stuck = 1;
		else if (!journal_is_hot(journal))
			*recovered = 1;
	}
	if (*recovered)
		p11c_log(db, "rolled back an interrupted write in '%s'", dir);
}

void p11c_db_use_wal(p11c_db *db, const char *dir)
{
	char path[4200], mode[16];
	for (size_t i = 0; i < sizeof(sql_files) / sizeof(sql_files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, sql_files[i]);
		struct stat st;
		if (stat(path, &st) != 0 || st.st_size == 0)
			continue;
		sqlite3 *s = sql_open(path);
		mode[0] = '\0';
		if (s && sql_run(s, "PRAGMA journal_mode", mode, sizeof(mode)) == SQLITE_OK &&
		    strcmp(mode, "wal") != 0) {
			/* Busy while another process has the file open in the old
			 * mode: the next writer tries again. */
			if (sql_run(s, "PRAGMA journal_mode=WAL", mode, sizeof(mode)) ==
			        SQLITE_OK &&
			    !strcmp(mode, "wal"))
				p11c_log(db, "'%s' now uses sqlite's write-ahead log", path);
		}
		sqlite3_close(s);
	}
}

int p11c_db_journal_mode(const char *dir, const char *file, char *mode, size_t len)
{
	char path[4200];
	sqlite3 *s = NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	snprintf(mode, len, "unknown");
	if (sqlite3_open_v2(path, &s, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		sqlite3_close(s);
		return -1;
	}
	sqlite3_busy_timeout(s, 2000);
	int rc = sql_run(s, "PRAGMA journal_mode", mode, len);
	sqlite3_close(s);
	return rc == SQLITE_OK ? 0 : -1;
}
