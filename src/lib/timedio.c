/* SPDX-License-Identifier: MPL-2.0 */
/* TCP with time limits: connecting to each address in turn, sending and
 * reading before a deadline for the whole answer. */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net.h"

/* CLOCK_MONOTONIC, in ms. */
long long p11c_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

p11c_deadline p11c_deadline_in(int seconds)
{
	p11c_deadline d = {p11c_now_ms() + (long long)seconds * 1000, seconds};
	return d;
}

long long p11c_deadline_left(const p11c_deadline *d)
{
	long long left = d->at - p11c_now_ms();
	return left > 0 ? left : 0;
}

/* Wait for events on fd until the deadline: 1 ready, 0 timed out, -1. */
int p11c_wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		long long left = deadline - p11c_now_ms();
		if (left <= 0)
			return 0;
		struct pollfd p = {fd, events, 0};
		int r = poll(&p, 1, left > 3600000 ? 3600000 : (int)left);
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

static int connect_one(const struct addrinfo *ai, long long deadline, int *err)
{
	int fd =
	    socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0) {
		*err = errno;
		return -1;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno == EINPROGRESS) {
		int r = p11c_wait_fd(fd, POLLOUT, deadline);
		socklen_t len = sizeof(*err);
		if (r > 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, err, &len) == 0 && *err == 0)
			return fd;
		if (r == 0)
			*err = ETIMEDOUT;
		else if (r < 0)
			*err = errno;
	} else {
		*err = errno;
	}
	close(fd);
	return -1;
}

int p11c_net_connect(p11c_db *db, const char *host, int port, int timeout, int *fd)
{
	struct addrinfo hints, *res = NULL;
	char service[16];
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(service, sizeof(service), "%d", port);
	int g = getaddrinfo(host, service, &hints, &res);
	if (g != 0)
		return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_IO, "cannot resolve '%s': %s", host,
		                   g == EAI_SYSTEM ? strerror(errno) : gai_strerror(g));
	long long deadline = p11c_now_ms() + (long long)timeout * 1000;
	int err = 0;
	*fd = -1;
	for (struct addrinfo *ai = res; ai && *fd < 0; ai = ai->ai_next)
		*fd = connect_one(ai, deadline, &err);
	freeaddrinfo(res);
	if (*fd >= 0) {
		p11c_log(db, "connected to %s port %d", host, port);
		return P11C_OK;
	}
	if (err == ETIMEDOUT)
		return p11c_fail(db, P11C_EFAIL, "cannot connect to %s port %d: no answer in %d s",
		                 host, port, timeout);
	return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_IO, "cannot connect to %s port %d: %s", host,
	                   port, strerror(err));
}

/* p11c_wait_fd in quarter seconds, the progress line kept up meanwhile. */
static int wait_ticking(p11c_db *db, int fd, short events, long long deadline)
{
	for (;;) {
		long long slice = p11c_now_ms() + 250;
		int r = p11c_wait_fd(fd, events, slice < deadline ? slice : deadline);
		if (r != 0 || p11c_now_ms() >= deadline)
			return r;
		p11c_progress_tick(db);
	}
}

long p11c_net_send(p11c_db *db, int fd, const void *data, size_t len, const p11c_deadline *d)
{
	size_t done = 0;
	while (done < len) {
		ssize_t w = send(fd, (const char *)data + done, len - done, MSG_NOSIGNAL);
		if (w > 0) {
			done += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
		    wait_ticking(db, fd, POLLOUT, d->at) > 0)
			continue;
		p11c_fail_c(db, P11C_EFAIL, P11C_ERR_IO, "cannot send to the server: %s",
		            w < 0 && errno != EAGAIN ? strerror(errno) : "timed out");
		return -1;
	}
	return (long)done;
}

long p11c_net_recv(p11c_db *db, int fd, void *buf, size_t size, const p11c_deadline *d)
{
	for (;;) {
		ssize_t r = recv(fd, buf, size, 0);
		if (r >= 0)
			return (long)r;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			p11c_fail_c(db, P11C_EFAIL, P11C_ERR_IO, "cannot read from the server: %s",
			            strerror(errno));
			return -1;
		}
		int w = wait_ticking(db, fd, POLLIN, d->at);
		if (w <= 0) {
			p11c_fail(db, P11C_EFAIL, "the server did not answer in %d s", d->seconds);
			return -1;
		}
	}
}
