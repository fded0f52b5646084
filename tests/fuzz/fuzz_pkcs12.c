/* SPDX-License-Identifier: MPL-2.0 */
/* import-cert: a PKCS#12 file (password "fuzz") through the library's own
 * p11c_p12_import, on a throwaway database made in a temporary directory
 * (gone at exit).  What an input imports is removed again, so that the
 * next one starts from the same, empty, database.  First byte even: the
 * rest is the file.  Odd: the rest gets a fresh MAC (OpenSSL's
 * PKCS12_set_mac) first, so that mutations inside the bags get past NSS's
 * MAC check to the bags' decoding, renaming and validation. */
#define _XOPEN_SOURCE 700
#include <fcntl.h>
#include <ftw.h>
#include <openssl/pkcs12.h>
#include <unistd.h>

#include "fuzz.h"

static char dir[4096];
static char path[sizeof(dir) + 16];
static p11c_db *db;

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void cleanup(void)
{
	p11c_db_free(db);
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	p11c_generate_opts o = P11C_GENERATE_OPTS_INIT;
	o.flags = P11C_GENERATE_NO_DEFAULT_CERT | P11C_GENERATE_NO_P11KIT;
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/p11cert-fuzz-p12.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir) || p11c_db_new(&db) != P11C_OK) {
		fprintf(stderr, "fuzz: cannot make a temporary directory\n");
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/db", dir);
	if (p11c_db_generate(db, path, &o) != P11C_OK) {
		fprintf(stderr, "fuzz: cannot make a database: %s\n", p11c_last_error(db));
		exit(1);
	}
	atexit(cleanup);
	snprintf(path, sizeof(path), "%s/in.p12", dir);
	return 0;
}

/* The PFX in der with its MAC made again under "fuzz"; NULL when OpenSSL
 * cannot read its outer layer.  OPENSSL_free it. */
static unsigned char *remac(const uint8_t *der, size_t len, int *out_len)
{
	const unsigned char *p = der;
	unsigned char *out = NULL;
	PKCS12 *p12 = d2i_PKCS12(NULL, &p, (long)len);
	*out_len = 0;
	if (p12 && PKCS12_set_mac(p12, "fuzz", -1, NULL, 0, 1, EVP_sha256()))
		*out_len = i2d_PKCS12(p12, &out);
	PKCS12_free(p12);
	return *out_len > 0 ? out : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return -1;
	unsigned char *fixed = NULL;
	int fixed_len = 0;
	if (data[0] & 1 && !(fixed = remac(data + 1, size - 1, &fixed_len)))
		return 0;
	const void *file = fixed ? fixed : data + 1;
	size_t len = fixed ? (size_t)fixed_len : size - 1;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, file, len) != (ssize_t)len || close(fd) < 0)
		abort();
	OPENSSL_free(fixed);
	p11c_import_opts o = P11C_IMPORT_OPTS_INIT;
	char *alias = NULL;
	int rc = p11c_p12_import(db, path, "fuzz", &o, &alias);
	fuzz_note("import", rc, p11c_last_error(db));
	if (rc == P11C_OK) {
		FUZZ_ASSERT(alias);
		FUZZ_ASSERT(p11c_cert_remove(db, alias, 0) == P11C_OK);
	} else {
		FUZZ_ASSERT(!alias && p11c_last_error(db)[0]);
	}
	free(alias);
	return 0;
}
