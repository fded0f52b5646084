/* SPDX-License-Identifier: MPL-2.0 */
#ifndef P11C_TEST_FREEPORT_H
#define P11C_TEST_FREEPORT_H

/* A port on 127.0.0.1 that is free just now for both TCP and UDP and that
 * no earlier call in this process returned; -1 if none is found.  Drawn at
 * random from below the kernel's ephemeral range, so that no outgoing
 * connection and no other test's port-0 bind takes it before the server
 * binds it (two port-0 binds in a row can be given the same port). */
int free_port(void);

#endif
