/* SPDX-License-Identifier: MPL-2.0 */
/* The one atomic writer and the one whole-file reader (files.c). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "internal.h"

typedef struct {
	p11c_db *db;
	char dir[64];
	char path[128]; /* dir/out */
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	if (!f || p11c_db_new(&f->db) != P11C_OK)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s", "/tmp/p11cert-files.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/out", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	DIR *d = opendir(f->dir);
	for (struct dirent *e; d && (e = readdir(d));) {
		char p[512];
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", f->dir, e->d_name);
		if (unlink(p) != 0)
			rmdir(p);
	}
	if (d)
		closedir(d);
	rmdir(f->dir);
	p11c_db_free(f->db);
	free(f);
	return 0;
}

/* The names in the fixture's directory, counted. */
static size_t entries(const fixture *f)
{
	size_t n = 0;
	DIR *d = opendir(f->dir);
	for (struct dirent *e; d && (e = readdir(d));)
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	return n;
}

static void put_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static char *text_of(const char *path)
{
	static char buf[4096];
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	assert_true(n >= 0);
	buf[n] = '\0';
	close(fd);
	return buf;
}

static int write_whole(fixture *f, const char *path, unsigned mode, const char *text)
{
	p11c_output o;
	int rc = p11c_output_open_mode(f->db, path, mode, 0, &o);
	if (rc)
		return rc;
	p11c_output_write(&o, text, strlen(text));
	return p11c_output_close(f->db, &o, 1);
}

static void test_output_writes_the_file_with_its_mode(void **state)
{
	fixture *f = *state;
	struct stat st;
	mode_t old = umask(077); /* the mode given, whatever the umask */
	assert_int_equal(write_whole(f, f->path, 0644, "certificate\n"), P11C_OK);
	umask(old);
	assert_string_equal(text_of(f->path), "certificate\n");
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(entries(f), 1);
}

static void test_output_open_is_0600(void **state)
{
	fixture *f = *state;
	struct stat st;
	p11c_output o;
	assert_int_equal(p11c_output_open(f->db, f->path, &o), P11C_OK);
	/* the temporary is 0600 from creation, beside the file */
	assert_int_equal(stat(o.tmp, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(strncmp(o.tmp, f->path, strlen(f->path)), 0);
	assert_int_equal(strlen(o.tmp), strlen(f->path) + 7);
	p11c_output_write(&o, "secret", 6);
	assert_int_equal(p11c_output_close(f->db, &o, 1), P11C_OK);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_null(o.tmp);
}

static void test_output_replaces_the_old_file(void **state)
{
	fixture *f = *state;
	put_file(f->path, "old\n", 0600);
	assert_int_equal(write_whole(f, f->path, 0600, "new\n"), P11C_OK);
	assert_string_equal(text_of(f->path), "new\n");
	assert_int_equal(entries(f), 1);
}

static void test_output_not_kept_leaves_the_old_file(void **state)
{
	fixture *f = *state;
	p11c_output o;
	put_file(f->path, "old\n", 0600);
	assert_int_equal(p11c_output_open(f->db, f->path, &o), P11C_OK);
	p11c_output_write(&o, "new\n", 4);
	assert_int_equal(p11c_output_close(f->db, &o, 0), P11C_OK);
	assert_string_equal(text_of(f->path), "old\n");
	assert_int_equal(entries(f), 1);
}

static void test_output_failed_write_removes_the_temporary(void **state)
{
	fixture *f = *state;
	p11c_output o;
	struct rlimit old, small = {.rlim_cur = 4};
	char big[64];
	memset(big, 'x', sizeof(big));
	put_file(f->path, "old\n", 0600);
	assert_int_equal(p11c_output_open(f->db, f->path, &o), P11C_OK);
	/* a real write failure: EFBIG past a 4-byte file size limit */
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small.rlim_max = old.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	int w = p11c_output_write(&o, big, sizeof(big));
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	assert_int_equal(w, -1);
	assert_int_equal(o.failed, EFBIG);
	assert_int_equal(p11c_output_close(f->db, &o, 1), P11C_EFAIL);
	assert_non_null(strstr(p11c_last_error(f->db), "cannot write '"));
	assert_non_null(strstr(p11c_last_error(f->db), strerror(EFBIG)));
	assert_int_equal(p11c_last_error_code(f->db), P11C_ERR_IO);
	assert_string_equal(text_of(f->path), "old\n");
	assert_int_equal(entries(f), 1); /* no temporary left */
}

static void test_output_failed_rename_removes_the_temporary(void **state)
{
	fixture *f = *state;
	p11c_output o;
	/* a directory in the way: the check is skipped, the rename fails */
	assert_int_equal(mkdir(f->path, 0700), 0);
	assert_int_equal(p11c_output_open_mode(f->db, f->path, 0600, P11C_OUTPUT_ANY_PATH, &o),
	                 P11C_OK);
	p11c_output_write(&o, "new\n", 4);
	assert_int_equal(p11c_output_close(f->db, &o, 1), P11C_EFAIL);
	assert_non_null(strstr(p11c_last_error(f->db), "cannot write '"));
	assert_int_equal(entries(f), 1);
}

static void test_output_refuses_a_symbolic_link(void **state)
{
	fixture *f = *state;
	p11c_output o;
	char target[160];
	snprintf(target, sizeof(target), "%s/target", f->dir);
	put_file(target, "kept\n", 0600);
	assert_int_equal(symlink(target, f->path), 0);
	assert_int_equal(p11c_output_open(f->db, f->path, &o), P11C_EFAIL);
	assert_int_equal(o.fd, -1);
	assert_string_equal(text_of(target), "kept\n");
	assert_int_equal(entries(f), 2);
}

static void test_output_refuses_a_symbolic_link_message(void **state)
{
	fixture *f = *state;
	p11c_output o;
	assert_int_equal(symlink("/dev/null", f->path), 0);
	assert_int_equal(p11c_output_open(f->db, f->path, &o), P11C_EFAIL);
	assert_non_null(strstr(p11c_last_error(f->db), "it is a symbolic link"));
	/* close after a refused open does nothing */
	assert_int_equal(p11c_output_close(f->db, &o, 1), P11C_OK);
	assert_int_equal(entries(f), 1);
}

static void test_output_any_path_replaces_a_link(void **state)
{
	fixture *f = *state;
	p11c_output o;
	struct stat st;
	char target[160];
	snprintf(target, sizeof(target), "%s/target", f->dir);
	put_file(target, "kept\n", 0600);
	assert_int_equal(symlink(target, f->path), 0);
	assert_int_equal(p11c_output_open_mode(f->db, f->path, 0600, P11C_OUTPUT_ANY_PATH, &o),
	                 P11C_OK);
	p11c_output_write(&o, "new\n", 4);
	assert_int_equal(p11c_output_close(f->db, &o, 1), P11C_OK);
	assert_int_equal(lstat(f->path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_string_equal(text_of(target), "kept\n");
}

static void test_output_missing_directory_is_not_found(void **state)
{
	fixture *f = *state;
	p11c_output o;
	char path[160];
	snprintf(path, sizeof(path), "%s/none/out", f->dir);
	assert_int_equal(p11c_output_open(f->db, path, &o), P11C_ENOTFOUND);
	assert_null(o.tmp);
	assert_int_equal(o.fd, -1);
	assert_int_equal(entries(f), 0);
}

static void test_file_rename_puts_the_file_in_place(void **state)
{
	fixture *f = *state;
	char from[160];
	snprintf(from, sizeof(from), "%s/staged", f->dir);
	put_file(from, "staged\n", 0600);
	assert_int_equal(p11c_file_rename(from, f->path), 0);
	assert_string_equal(text_of(f->path), "staged\n");
	assert_int_equal(p11c_file_rename(from, f->path), -1);
	assert_int_equal(errno, ENOENT);
}

static int read_with(fixture *f, const p11c_read_opts *ro, unsigned char **out, size_t *len)
{
	return p11c_file_read_with(f->db, f->path, ro, out, len);
}

static void test_read_gives_the_whole_file(void **state)
{
	fixture *f = *state;
	unsigned char *out = NULL;
	size_t len = 0;
	put_file(f->path, "one\ntwo\n", 0644);
	assert_int_equal(p11c_file_read(f->db, f->path, &out, &len), P11C_OK);
	assert_int_equal(len, 8);
	assert_string_equal((char *)out, "one\ntwo\n"); /* NUL-terminated */
	free(out);
}

static void test_read_empty_file(void **state)
{
	fixture *f = *state;
	unsigned char *out = NULL;
	size_t len = 1;
	put_file(f->path, "", 0644);
	assert_int_equal(p11c_file_read(f->db, f->path, &out, &len), P11C_OK);
	assert_int_equal(len, 0);
	assert_non_null(out);
	assert_int_equal(out[0], '\0');
	free(out);
}

static void test_read_size_limit(void **state)
{
	fixture *f = *state;
	unsigned char *out = NULL;
	size_t len = 0;
	put_file(f->path, "12345678", 0644);
	assert_int_equal(p11c_file_read_max(f->db, f->path, 8, &out, &len), P11C_OK);
	assert_int_equal(len, 8);
	free(out);
	out = NULL;
	assert_int_equal(p11c_file_read_max(f->db, f->path, 7, &out, &len), P11C_EFAIL);
	assert_null(out);
	assert_int_equal(len, 0);
	assert_non_null(strstr(p11c_last_error(f->db), "is larger than 7 bytes"));
}

static void test_read_size_limit_is_named_in_kib(void **state)
{
	fixture *f = *state;
	unsigned char *out = NULL;
	size_t len = 0;
	char big[2000];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	put_file(f->path, big, 0644);
	assert_int_equal(p11c_file_read_max(f->db, f->path, 1024, &out, &len), P11C_EFAIL);
	char want[256];
	snprintf(want, sizeof(want), "'%s' is larger than 1 KiB, the most that is read here",
	         f->path);
	assert_string_equal(p11c_last_error(f->db), want);
}

static void test_read_missing_file_is_not_found(void **state)
{
	fixture *f = *state;
	unsigned char *out = NULL;
	size_t len = 0;
	assert_int_equal(p11c_file_read(f->db, f->path, &out, &len), P11C_ENOTFOUND);
	assert_int_equal(p11c_last_error_code(f->db), P11C_ERR_NOTFOUND);
	assert_null(out);
}

static void test_read_refuses_a_fifo_without_waiting(void **state)
{
	fixture *f = *state;
	unsigned char *out = NULL;
	size_t len = 0;
	assert_int_equal(mkfifo(f->path, 0600), 0);
	assert_int_equal(p11c_file_read(f->db, f->path, &out, &len), P11C_EFAIL);
	assert_non_null(strstr(p11c_last_error(f->db), "it is a FIFO or pipe, not a regular file"));
}

static void test_read_refuses_a_directory(void **state)
{
	fixture *f = *state;
	unsigned char *out = NULL;
	size_t len = 0;
	p11c_read_opts ro = {.max = 100, .refused = P11C_EPASSWORD};
	assert_int_equal(mkdir(f->path, 0700), 0);
	assert_int_equal(read_with(f, &ro, &out, &len), P11C_EPASSWORD);
	assert_non_null(strstr(p11c_last_error(f->db), "it is a directory"));
}

static void test_read_nofollow_refuses_a_link(void **state)
{
	fixture *f = *state;
	unsigned char *out = NULL;
	size_t len = 0;
	char target[160], want[256];
	snprintf(target, sizeof(target), "%s/target", f->dir);
	put_file(target, "pw\n", 0600);
	assert_int_equal(symlink(target, f->path), 0);
	p11c_read_opts ro = {.max = 100};
	assert_int_equal(read_with(f, &ro, &out, &len), P11C_OK);
	free(out);
	out = NULL;
	ro = (p11c_read_opts){.max = 100,
	                      .flags = P11C_READ_NOFOLLOW,
	                      .what = "password file",
	                      .refused = P11C_EPASSWORD};
	assert_int_equal(read_with(f, &ro, &out, &len), P11C_EPASSWORD);
	assert_null(out);
	snprintf(want, sizeof(want), "password file '%s' is a symbolic link", f->path);
	assert_string_equal(p11c_last_error(f->db), want);
}

static void test_read_private_refuses_group_bits(void **state)
{
	fixture *f = *state;
	unsigned char *out = NULL;
	size_t len = 0;
	char want[256];
	p11c_read_opts ro = {.max = 100,
	                     .flags = P11C_READ_PRIVATE,
	                     .what = "password file",
	                     .refused = P11C_EPASSWORD};
	put_file(f->path, "pw\n", 0640);
	assert_int_equal(read_with(f, &ro, &out, &len), P11C_EPASSWORD);
	snprintf(want, sizeof(want),
	         "password file '%s' is readable by others (mode 0640; chmod 600 it)", f->path);
	assert_string_equal(p11c_last_error(f->db), want);
	assert_int_equal(chmod(f->path, 0600), 0);
	assert_int_equal(read_with(f, &ro, &out, &len), P11C_OK);
	assert_string_equal((char *)out, "pw\n");
	free(out);
}

static void test_read_secret_keeps_the_limit(void **state)
{
	fixture *f = *state;
	unsigned char *out = NULL;
	size_t len = 0;
	p11c_read_opts ro = {.max = 2,
	                     .flags = P11C_READ_SECRET,
	                     .what = "password file",
	                     .refused = P11C_EPASSWORD};
	put_file(f->path, "pw\n", 0600);
	assert_int_equal(read_with(f, &ro, &out, &len), P11C_EPASSWORD);
	assert_non_null(strstr(p11c_last_error(f->db), "is larger than 2 bytes"));
	assert_null(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	    T(test_output_writes_the_file_with_its_mode),
	    T(test_output_open_is_0600),
	    T(test_output_replaces_the_old_file),
	    T(test_output_not_kept_leaves_the_old_file),
	    T(test_output_failed_write_removes_the_temporary),
	    T(test_output_failed_rename_removes_the_temporary),
	    T(test_output_refuses_a_symbolic_link),
	    T(test_output_refuses_a_symbolic_link_message),
	    T(test_output_any_path_replaces_a_link),
	    T(test_output_missing_directory_is_not_found),
	    T(test_file_rename_puts_the_file_in_place),
	    T(test_read_gives_the_whole_file),
	    T(test_read_empty_file),
	    T(test_read_size_limit),
	    T(test_read_size_limit_is_named_in_kib),
	    T(test_read_missing_file_is_not_found),
	    T(test_read_refuses_a_fifo_without_waiting),
	    T(test_read_refuses_a_directory),
	    T(test_read_nofollow_refuses_a_link),
	    T(test_read_private_refuses_group_bits),
	    T(test_read_secret_keeps_the_limit),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
