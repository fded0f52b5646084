/* SPDX-License-Identifier: MPL-2.0 */
/* Answering ACME challenges (acmesolve.h): http-01 on a port of our own
 * (netmod.h's answerer), a file under a webroot, a dns-01 hook followed by
 * a wait for the TXT record, or the caller's p11c_acme_solver. */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "acmesolve.h"
#include "internal.h"
#include "netmod.h"

#define WELL_KNOWN ".well-known"
#define CHALLENGE_DIR ".well-known/acme-challenge"

struct p11c_acme_answerer {
	p11c_db *db;
	p11c_acme_method method;
	const char *type;
	p11c_net_http01 *http01;
	char *webroot;
	int made_well_known, made_challenge_dir; /* directories of ours, removed after */
	char *hook;
	char *script; /* what /bin/sh -c runs: hook, or hook "$@" for a bare command */
	char *dns_server;
	p11c_acme_solver solver;
};

const char *p11c_acme_method_name(p11c_acme_method m)
{
	switch (m) {
	case P11C_ACME_HTTP01_PORT:
		return "http01-port";
	case P11C_ACME_WEBROOT:
		return "webroot";
	case P11C_ACME_DNS_HOOK:
		return "dns-hook";
	case P11C_ACME_CALLBACK:
		return "callback";
	}
	return "unknown";
}

const char *p11c_acme_challenge_type(const p11c_acme_challenge *ch)
{
	return ch ? ch->type : NULL;
}

const char *p11c_acme_challenge_domain(const p11c_acme_challenge *ch)
{
	return ch ? ch->domain : NULL;
}

const char *p11c_acme_challenge_token(const p11c_acme_challenge *ch)
{
	return ch ? ch->token : NULL;
}

const char *p11c_acme_challenge_key_auth(const p11c_acme_challenge *ch)
{
	return ch ? ch->key_auth : NULL;
}

const char *p11c_acme_challenge_dns_name(const p11c_acme_challenge *ch)
{
	return ch ? ch->dns_name : NULL;
}

const char *p11c_acme_challenge_dns_value(const p11c_acme_challenge *ch)
{
	return ch ? ch->dns_value : NULL;
}

static int refuse_token(p11c_db *db, const char *token)
{
	char shown[80];
	snprintf(shown, sizeof(shown), "%s", token ? token : "");
	return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_INPUT,
	                   "the server's challenge token '%s' is not base64url", shown);
}

/* ---- the caller's parameters ---- */

static int open_method(p11c_db *db, const p11c_acme_issue_opts *o, p11c_acme_answerer *a)
{
	char err[512] = "";
	struct stat st;
	switch (o->method) {
	case P11C_ACME_HTTP01_PORT: {
		int port = o->http01_port ? o->http01_port : 80;
		if (port < 1 || port > 65535)
			return p11c_fail_field(db, P11C_EUSAGE, "http01_port",
			                       "port %d is not between 1 and 65535", port);
		a->type = "http-01";
		if (p11c_net_http01_start(o->http01_address, port, &a->http01, err, sizeof(err)))
			return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_IO, "http-01: %s", err);
		return P11C_OK;
	}
	case P11C_ACME_WEBROOT:
		if (!o->webroot || !*o->webroot)
			return p11c_fail_field(db, P11C_EUSAGE, "webroot", "no webroot directory");
		if (stat(o->webroot, &st) != 0)
			return p11c_fail_cf(db, errno == ENOENT ? P11C_ENOTFOUND : P11C_EFAIL,
			                    errno == ENOENT ? P11C_ERR_NOTFOUND : P11C_ERR_IO,
			                    "webroot", "cannot use webroot '%s': %s", o->webroot,
			                    strerror(errno));
		if (!S_ISDIR(st.st_mode))
			return p11c_fail_field(db, P11C_EUSAGE, "webroot",
			                       "webroot '%s' is not a directory", o->webroot);
		a->type = "http-01";
		a->webroot = strdup(o->webroot);
		return a->webroot ? P11C_OK : p11c_fail(db, P11C_EFAIL, "out of memory");
	case P11C_ACME_DNS_HOOK:
		if (!o->dns_hook || !*o->dns_hook)
			return p11c_fail_field(db, P11C_EUSAGE, "dns_hook",
			                       "no dns-01 hook command");
		a->type = "dns-01";
		a->hook = strdup(o->dns_hook);
		a->dns_server = o->dns_server ? strdup(o->dns_server) : NULL;
		/* A command alone ("/usr/local/bin/hook") gets set|clear NAME VALUE
		 * as its arguments, as "CMD set NAME VALUE" reads; a command line
		 * sees them as $1 $2 $3. */
		if (a->hook && !a->hook[strcspn(a->hook, " \t\n;&|<>()$`\\\"'*?[#~=%")]) {
			size_t len = strlen(a->hook) + 8;
			if ((a->script = malloc(len)))
				snprintf(a->script, len, "%s \"$@\"", a->hook);
		} else if (a->hook)
			a->script = strdup(a->hook);
		if (!a->hook || !a->script || (o->dns_server && !a->dns_server))
			return p11c_fail(db, P11C_EFAIL, "out of memory");
		return P11C_OK;
	case P11C_ACME_CALLBACK:
		if (!o->solver || !o->solver->set || !o->solver->clear || !o->solver->type)
			return p11c_fail_field(db, P11C_EUSAGE, "solver",
			                       "the solver is NULL or lacks set, clear or type");
		if (strcmp(o->solver->type, "http-01") && strcmp(o->solver->type, "dns-01"))
			return p11c_fail_field(
			    db, P11C_EUSAGE, "solver",
			    "the solver's type '%s' is neither http-01 nor dns-01",
			    o->solver->type);
		a->solver = *o->solver;
		a->type = strcmp(o->solver->type, "http-01") ? "dns-01" : "http-01";
		return P11C_OK;
	}
	return p11c_fail_field(db, P11C_EUSAGE, "method", "unknown challenge method %d",
	                       (int)o->method);
}

int p11c_acme_answerer_open(p11c_db *db, const p11c_acme_issue_opts *opts, p11c_acme_answerer **out)
{
	*out = NULL;
	p11c_acme_answerer *a = calloc(1, sizeof(*a));
	if (!a)
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	a->db = db;
	a->method = opts->method;
	int rc = open_method(db, opts, a);
	if (rc) {
		p11c_acme_answerer_close(a);
		return rc;
	}
	*out = a;
	return P11C_OK;
}

const char *p11c_acme_answerer_type(const p11c_acme_answerer *a)
{
	return a ? a->type : NULL;
}

/* ---- webroot ---- */

static int make_dir(p11c_db *db, const char *path, int *made)
{
	if (mkdir(path, 0755) == 0) {
		*made = 1;
		return P11C_OK;
	}
	struct stat st;
	if (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return P11C_OK;
	return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_IO, "cannot make directory '%s': %s", path,
	                   errno == EEXIST ? "not a directory" : strerror(errno));
}

static int webroot_set(p11c_acme_answerer *a, const p11c_acme_challenge *ch)
{
	char path[4200];
	int rc;
	snprintf(path, sizeof(path), "%s/%s", a->webroot, WELL_KNOWN);
	if ((rc = make_dir(a->db, path, &a->made_well_known)))
		return rc;
	snprintf(path, sizeof(path), "%s/%s", a->webroot, CHALLENGE_DIR);
	if ((rc = make_dir(a->db, path, &a->made_challenge_dir)))
		return rc;
	snprintf(path, sizeof(path), "%s/%s/%s", a->webroot, CHALLENGE_DIR, ch->token);
	return p11c_file_write(a->db, path, ch->key_auth, strlen(ch->key_auth), 0644);
}

/* The directories we made go when empty (other tokens may still be in). */
static void webroot_tidy(p11c_acme_answerer *a)
{
	char path[4200];
	if (a->made_challenge_dir) {
		snprintf(path, sizeof(path), "%s/%s", a->webroot, CHALLENGE_DIR);
		if (rmdir(path) == 0 || errno == ENOENT)
			a->made_challenge_dir = 0;
	}
	if (a->made_well_known && !a->made_challenge_dir) {
		snprintf(path, sizeof(path), "%s/%s", a->webroot, WELL_KNOWN);
		if (rmdir(path) == 0 || errno == ENOENT)
			a->made_well_known = 0;
	}
}

static void webroot_clear(p11c_acme_answerer *a, const p11c_acme_challenge *ch)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s/%s", a->webroot, CHALLENGE_DIR, ch->token);
	if (unlink(path) != 0 && errno != ENOENT)
		p11c_warn(a->db, "cannot remove '%s': %s", path, strerror(errno));
	webroot_tidy(a);
}

/* ---- dns-01: the hook ---- */

/* Run the hook as /bin/sh -c HOOK sh VERB NAME VALUE, its output on our
 * stderr (stdout may be a JSON result), for at most wait seconds. */
static int run_hook(p11c_acme_answerer *a, const char *verb, const p11c_acme_challenge *ch,
                    int wait, char *why, size_t whylen)
{
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(why, whylen, "cannot start it: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		/* a group of its own, so that a hung hook goes with its children */
		setpgid(0, 0);
		int null = open("/dev/null", O_RDONLY);
		if (null >= 0) {
			dup2(null, 0);
			if (null > 0)
				close(null);
		}
		dup2(2, 1);
		long max = sysconf(_SC_OPEN_MAX);
		for (int fd = 3; fd < (max > 0 && max < 65536 ? max : 65536); fd++)
			close(fd);
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", a->script, "sh", verb, ch->dns_name, ch->dns_value,
		      (char *)NULL);
		_exit(127);
	}
	if (wait <= 0)
		wait = 300;
	setpgid(pid, pid); /* as the child does: whichever runs first */
	time_t until = time(NULL) + wait;
	int status;
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			snprintf(why, whylen, "cannot wait for it: %s", strerror(errno));
			return -1;
		}
		if (time(NULL) >= until) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			snprintf(why, whylen, "still running after %d s, killed", wait);
			return -1;
		}
		p11c_progress_tick(a->db);
		struct timespec ts = {0, 50 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		snprintf(why, whylen, "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(why, whylen, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(why, whylen, "status %d", status);
	return -1;
}

/* ---- dns-01: the wait for the TXT record ---- */

/* server "ADDR" or "ADDR:PORT" (IPv4) as the resolver's only server. */
static int resolver_set(p11c_db *db, struct __res_state *rs, const char *server)
{
	char addr[64];
	int port = 53;
	const char *colon = strrchr(server, ':');
	size_t len = colon ? (size_t)(colon - server) : strlen(server);
	if (len >= sizeof(addr))
		goto bad;
	memcpy(addr, server, len);
	addr[len] = '\0';
	if (colon) {
		char *end;
		long p = strtol(colon + 1, &end, 10);
		if (!colon[1] || *end || p < 1 || p > 65535)
			goto bad;
		port = (int)p;
	}
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1)
		goto bad;
	rs->nsaddr_list[0] = sin;
	rs->nscount = 1;
	return P11C_OK;
bad:
	return p11c_fail_field(db, P11C_EUSAGE, "dns_server",
	                       "DNS server '%s' is not an IPv4 ADDR or ADDR:PORT", server);
}

/* Whether a TXT record of name holds value now; *seen the first value seen
 * (or the resolver's failure), for the message when it never does. */
static int txt_has(struct __res_state *rs, const char *name, const char *value, char *seen,
                   size_t seenlen)
{
	unsigned char ans[8192];
	int n = res_nquery(rs, name, ns_c_in, ns_t_txt, ans, sizeof(ans));
	if (n < 0) {
		snprintf(seen, seenlen, "%s",
		         rs->res_h_errno == HOST_NOT_FOUND ? "no such name"
		         : rs->res_h_errno == NO_DATA      ? "no TXT record"
		                                           : "no answer");
		return 0;
	}
	ns_msg msg;
	if (ns_initparse(ans, n, &msg) < 0) {
		snprintf(seen, seenlen, "a malformed answer");
		return 0;
	}
	snprintf(seen, seenlen, "no TXT record");
	int found = 0;
	for (int i = 0; i < ns_msg_count(msg, ns_s_an) && !found; i++) {
		ns_rr rr;
		if (ns_parserr(&msg, ns_s_an, i, &rr) < 0 || ns_rr_type(rr) != ns_t_txt)
			continue;
		/* A TXT record's character-strings, joined. */
		char text[2048];
		size_t tl = 0;
		const unsigned char *p = ns_rr_rdata(rr), *end = p + ns_rr_rdlen(rr);
		while (p < end) {
			size_t l = *p++;
			if (l > (size_t)(end - p) || tl + l >= sizeof(text))
				break;
			memcpy(text + tl, p, l);
			tl += l;
			p += l;
		}
		text[tl] = '\0';
		if (i == 0 || strcmp(seen, "no TXT record") == 0)
			snprintf(seen, seenlen, "'%.100s'", text);
		found = !strcmp(text, value);
	}
	return found;
}

static int dns_wait(p11c_acme_answerer *a, const p11c_acme_challenge *ch, int wait)
{
	struct __res_state rs;
	memset(&rs, 0, sizeof(rs));
	if (res_ninit(&rs) != 0)
		return p11c_fail_c(a->db, P11C_EFAIL, P11C_ERR_IO, "cannot start the DNS resolver");
	int rc = a->dns_server ? resolver_set(a->db, &rs, a->dns_server) : P11C_OK;
	if (rc)
		goto out;
	rs.retrans = 1;
	rs.retry = 1;
	rs.options &= ~(unsigned long)(RES_DNSRCH | RES_DEFNAMES);
	if (wait <= 0)
		wait = 300;
	time_t until = time(NULL) + wait;
	char seen[160] = "nothing";
	for (;;) {
		if (txt_has(&rs, ch->dns_name, ch->dns_value, seen, sizeof(seen)))
			break;
		if (time(NULL) >= until) {
			rc = p11c_fail_c(a->db, P11C_EFAIL, P11C_ERR_IO,
			                 "the TXT record of '%s' did not show '%s' within %d s "
			                 "(%s%s: %s)",
			                 ch->dns_name, ch->dns_value, wait,
			                 a->dns_server ? "asked " : "asked the system's resolver",
			                 a->dns_server ? a->dns_server : "", seen);
			goto out;
		}
		for (int i = 0; i < 4; i++) {
			p11c_progress_tick(a->db);
			struct timespec ts = {0, 250 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
	}
	p11c_log(a->db, "dns-01: '%s' shows the TXT value", ch->dns_name);
out:
	res_nclose(&rs);
	return rc;
}

/* ---- one interface ---- */

int p11c_acme_answerer_set(p11c_acme_answerer *a, const p11c_acme_challenge *ch, int wait)
{
	char why[256];
	int rc;
	switch (a->method) {
	case P11C_ACME_HTTP01_PORT:
		if (!p11c_acme_token_ok(ch->token))
			return refuse_token(a->db, ch->token);
		if (p11c_net_http01_add(a->http01, ch->token, ch->key_auth))
			return p11c_fail(a->db, P11C_EFAIL,
			                 "http-01: cannot answer for '%s': out of memory",
			                 ch->domain);
		return P11C_OK;
	case P11C_ACME_WEBROOT:
		if (!p11c_acme_token_ok(ch->token))
			return refuse_token(a->db, ch->token);
		if ((rc = webroot_set(a, ch))) {
			webroot_tidy(a);
			return p11c_fail_keep(a->db, rc, "http-01 for '%s': %s", ch->domain,
			                      p11c_last_error(a->db));
		}
		return P11C_OK;
	case P11C_ACME_DNS_HOOK:
		if (run_hook(a, "set", ch, wait, why, sizeof(why)))
			return p11c_fail_c(a->db, P11C_EFAIL, P11C_ERR_OTHER,
			                   "dns-01 hook '%s' set '%s' failed: %s", a->hook,
			                   ch->dns_name, why);
		return dns_wait(a, ch, wait);
	case P11C_ACME_CALLBACK:
		rc = a->solver.set(ch, a->solver.arg);
		if (rc == P11C_OK)
			return P11C_OK;
		if (rc > 0 || rc < P11C_ETOKEN)
			rc = P11C_EFAIL;
		return p11c_fail(a->db, rc, "the solver cannot answer %s for '%s' (status %d)",
		                 a->type, ch->domain, rc);
	}
	return p11c_fail(a->db, P11C_EUSAGE, "unknown challenge method %d", (int)a->method);
}

void p11c_acme_answerer_clear(p11c_acme_answerer *a, const p11c_acme_challenge *ch)
{
	char why[256];
	switch (a->method) {
	case P11C_ACME_HTTP01_PORT:
		p11c_net_http01_remove(a->http01, ch->token);
		break;
	case P11C_ACME_WEBROOT:
		if (p11c_acme_token_ok(ch->token))
			webroot_clear(a, ch);
		break;
	case P11C_ACME_DNS_HOOK:
		if (run_hook(a, "clear", ch, 60, why, sizeof(why)))
			p11c_warn(a->db, "dns-01 hook '%s' clear '%s' failed: %s", a->hook,
			          ch->dns_name, why);
		break;
	case P11C_ACME_CALLBACK:
		if (a->solver.clear(ch, a->solver.arg) != P11C_OK)
			p11c_warn(a->db, "the solver cannot take back %s for '%s'", a->type,
			          ch->domain);
		break;
	}
}

void p11c_acme_answerer_close(p11c_acme_answerer *a)
{
	if (!a)
		return;
	p11c_net_http01_stop(a->http01);
	if (a->webroot)
		webroot_tidy(a);
	free(a->webroot);
	free(a->hook);
	free(a->script);
	free(a->dns_server);
	free(a);
}
