/* SPDX-License-Identifier: MPL-2.0 */
/* The SMTP, IMAP, POP3 and LDAP talk before STARTTLS (fetch-chain): the
 * input's first byte picks the protocol, the rest is all the server says,
 * through a socketpair, then the server stops sending. */
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz.h"
#include "net.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct {
		const char *scheme;
		int starttls;
	} protos[] = {{"smtp", P11C_TLS_SMTP},
	              {"imap", P11C_TLS_IMAP},
	              {"pop3", P11C_TLS_POP3},
	              {"ldap", P11C_TLS_LDAP},
	              {"smtps", P11C_TLS_IMPLICIT}};
	int sv[2];
	if (size < 1 || size > 64 * 1024)
		return -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	p11c_url u;
	memset(&u, 0, sizeof(u));
	size_t which = data[0] % (sizeof(protos) / sizeof(protos[0]));
	snprintf(u.scheme, sizeof(u.scheme), "%s", protos[which].scheme);
	snprintf(u.host, sizeof(u.host), "fuzz.example");
	snprintf(u.path, sizeof(u.path), "/");
	u.port = 25;
	u.starttls = protos[which].starttls;
	int bufsize = 256 * 1024;
	setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &bufsize, sizeof(bufsize));
	for (size_t done = 1; done < size;) {
		ssize_t w = write(sv[1], data + done, size - done);
		if (w <= 0)
			abort();
		done += (size_t)w;
	}
	shutdown(sv[1], SHUT_WR);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	int rc = p11c_net_starttls(fuzz_db(), sv[0], &u, 2);
	fuzz_note(u.scheme, rc, p11c_last_error(fuzz_db()));
	close(sv[0]);
	close(sv[1]);
	return 0;
}
