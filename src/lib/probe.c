/* SPDX-License-Identifier: MPL-2.0 */
/* Trying a PKCS#11 module in a child process before this one loads it: a
 * module that calls exit() in C_Initialize (SoftHSM2 on a corrupted token
 * store), crashes or hangs costs the child, not the command.  p11-kit's
 * PKCS#11 header, no NSS header (they clash). */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <p11-kit/pkcs11.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "p11kit.h"

/* "CKR_GENERAL_ERROR" (error.c's names), else "CKR 0x..". */
static const char *rv_name(CK_RV rv, char *buf, size_t n)
{
	const char *name = p11c_ckr_name((unsigned long)rv);
	if (name)
		return name;
	snprintf(buf, n, "CKR 0x%lx", (unsigned long)rv);
	return buf;
}

static void say(int fd, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(fd, line, (size_t)n) < 0)
		return;
}

/* The child: each step announced ("@step"), a refusal said ("!why"). */
_Noreturn static void try_module(const char *path, int fd)
{
	char buf[32];
	int null = open("/dev/null", O_RDWR);
	if (null >= 0) { /* whatever the module prints is not ours to show */
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
	}
	say(fd, "@loading it");
	void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		say(fd, "!%s", dlerror());
		_exit(1);
	}
	CK_C_GetFunctionList get = (CK_C_GetFunctionList)dlsym(lib, "C_GetFunctionList");
	CK_FUNCTION_LIST *f = NULL;
	say(fd, "@C_GetFunctionList");
	if (!get) {
		say(fd, "!it has no C_GetFunctionList");
		_exit(1);
	}
	CK_RV rv = get(&f);
	if (rv != CKR_OK || !f) {
		say(fd, "!C_GetFunctionList returned %s", rv_name(rv, buf, sizeof(buf)));
		_exit(1);
	}
	CK_C_INITIALIZE_ARGS args = {NULL, NULL, NULL, NULL, CKF_OS_LOCKING_OK, NULL};
	say(fd, "@C_Initialize");
	if ((rv = f->C_Initialize(&args)) != CKR_OK) {
		say(fd, "!C_Initialize returned %s", rv_name(rv, buf, sizeof(buf)));
		_exit(1);
	}
	CK_ULONG n = 0;
	say(fd, "@C_GetSlotList");
	if ((rv = f->C_GetSlotList(CK_FALSE, NULL, &n)) != CKR_OK) {
		say(fd, "!C_GetSlotList returned %s", rv_name(rv, buf, sizeof(buf)));
		_exit(1);
	}
	/* It answered: that is all the probe asks.  No C_Finalize: the child
	 * ends here and the kernel frees what the module holds, where a
	 * finalize under a sanitizer and load took over the whole timeout
	 * (SoftHSM2 tearing down its object store) and failed a good module. */
	say(fd, "@done");
	_exit(0);
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int p11c_module_probe(const char *path, int timeout_ms, char *why, size_t n)
{
	char text[2048] = "", *line;
	size_t len = 0;
	int p[2], status = 0, timed_out = 0;
	snprintf(why, n, "it could not be tried");
	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		try_module(path, p[1]);
	}
	close(p[1]);
	/* Its reports until it ends, at most timeout_ms. */
	for (long end = now_ms() + timeout_ms;;) {
		long left = end - now_ms();
		struct pollfd pf = {p[0], POLLIN, 0};
		int r = left > 0 ? poll(&pf, 1, (int)left) : 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			timed_out = 1;
			break;
		}
		ssize_t got = read(p[0], text + len, sizeof(text) - 1 - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0 || (len += (size_t)got) >= sizeof(text) - 1)
			break;
	}
	text[len] = '\0';
	close(p[0]);
	if (timed_out)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* The last step it began, and what it said went wrong. */
	const char *step = "loading it", *refusal = NULL;
	for (char *save = NULL, *s = text; (line = strtok_r(s, "\n", &save)); s = NULL) {
		if (line[0] == '@')
			step = line + 1;
		else if (line[0] == '!')
			refusal = line + 1;
	}
	if (timed_out)
		snprintf(why, n, "it did not answer within %d s (%s)", timeout_ms / 1000, step);
	else if (refusal)
		snprintf(why, n, "%s", refusal);
	else if (WIFSIGNALED(status))
		snprintf(why, n, "it died of signal %d (%s) in %s", WTERMSIG(status),
		         strsignal(WTERMSIG(status)), step);
	else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		snprintf(why, n, "it exited with status %d in %s", WEXITSTATUS(status), step);
	else if (strcmp(step, "done") != 0)
		snprintf(why, n, "it stopped in %s", step);
	else
		return 0;
	return -1;
}
