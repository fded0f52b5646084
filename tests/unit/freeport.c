/* SPDX-License-Identifier: MPL-2.0 */
/* free_port for the unit tests that start servers (tests/cli/servers.sh's
 * free_port is the shell tests' one). */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "freeport.h"

enum { MAX_GIVEN = 64 };

/* Whether PORT binds on 127.0.0.1 with socket TYPE. */
static int binds(int type, int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_port = htons((unsigned short)port),
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, type, 0);
	if (fd < 0)
		return 0;
	int ok = bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

/* The first port of the kernel's ephemeral range (32768 if unreadable). */
static int ephemeral_low(void)
{
	int low = 32768, high;
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
	if (f) {
		if (fscanf(f, "%d %d", &low, &high) != 2)
			low = 32768;
		fclose(f);
	}
	return low > 11000 ? low : 11000;
}

int free_port(void)
{
	static int given[MAX_GIVEN];
	static size_t ngiven;
	static int seeded;
	if (!seeded) {
		srand((unsigned)time(NULL) ^ (unsigned)getpid());
		seeded = 1;
	}
	int span = ephemeral_low() - 10000;
	for (int tries = 0; tries < 1000 && ngiven < MAX_GIVEN; tries++) {
		int port = 10000 + rand() % span, dup = 0;
		for (size_t i = 0; i < ngiven; i++)
			dup |= given[i] == port;
		if (dup || !binds(SOCK_STREAM, port) || !binds(SOCK_DGRAM, port))
			continue;
		given[ngiven++] = port;
		return port;
	}
	return -1;
}
