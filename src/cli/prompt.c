/* SPDX-License-Identifier: MPL-2.0 */
/* The no-echo prompt on the terminal.  The terminal gets its echo back on
 * every way out: a line, end of input, an error, and a signal (Ctrl-C,
 * Ctrl-\, a hangup, kill, Ctrl-Z: echo comes back while stopped, and goes
 * off again when the command is continued). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"

static const int caught[] = {SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGTSTP};
#define N_CAUGHT (sizeof(caught) / sizeof(caught[0]))

/* What the handler needs: set before the handlers, read only by them. */
static volatile sig_atomic_t tty_fd = -1;
static struct termios tty_old, tty_quiet;

static void on_signal(int sig)
{
	int saved = errno;
	int fd = tty_fd;
	if (fd >= 0) {
		tcsetattr(fd, TCSANOW, &tty_old);
		if (sig != SIGTSTP && write(fd, "\n", 1) < 0) {
			/* the terminal is gone: nothing to tell */
		}
	}
	/* The default action now: the command ends (or stops) as it would. */
	struct sigaction dfl;
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(sig, &dfl, NULL);
	sigset_t one;
	sigemptyset(&one);
	sigaddset(&one, sig);
	sigprocmask(SIG_UNBLOCK, &one, NULL);
	raise(sig);
	/* Only SIGTSTP comes back here, when continued: echo off again. */
	struct sigaction again;
	memset(&again, 0, sizeof(again));
	again.sa_handler = on_signal;
	again.sa_flags = SA_RESTART;
	sigemptyset(&again.sa_mask);
	sigaction(sig, &again, NULL);
	if (fd >= 0)
		tcsetattr(fd, TCSANOW, &tty_quiet);
	errno = saved;
}

int cli_prompt(const char *prompt, char *buf, size_t size)
{
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -1;
	int rc = -1;
	struct sigaction act, old_act[N_CAUGHT];
	if (tcgetattr(fd, &tty_old) != 0)
		goto out;
	tty_quiet = tty_old;
	tty_quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	tty_quiet.c_lflag |= ICANON;
	memset(&act, 0, sizeof(act));
	act.sa_handler = on_signal;
	act.sa_flags = SA_RESTART; /* a stop and continue goes on reading */
	sigemptyset(&act.sa_mask);
	for (size_t i = 0; i < N_CAUGHT; i++)
		sigaddset(&act.sa_mask, caught[i]);
	tty_fd = fd;
	for (size_t i = 0; i < N_CAUGHT; i++)
		sigaction(caught[i], &act, &old_act[i]);
	/* Echo off before the prompt shows: input typed after it is kept. */
	if (tcsetattr(fd, TCSAFLUSH, &tty_quiet) != 0)
		goto restore;
	if (write(fd, prompt, strlen(prompt)) < 0)
		goto restore;
	size_t len = 0;
	char c;
	while (len + 1 < size && read(fd, &c, 1) == 1 && c != '\n')
		buf[len++] = c;
	buf[len] = '\0';
	c = 0;
	rc = len > 0 ? 0 : -1;
	if (write(fd, "\n", 1) < 0)
		rc = -1;
restore:
	tcsetattr(fd, TCSANOW, &tty_old);
	for (size_t i = 0; i < N_CAUGHT; i++)
		sigaction(caught[i], &old_act[i], NULL);
	tty_fd = -1;
out:
	close(fd);
	return rc;
}
