/* SPDX-License-Identifier: MPL-2.0 */
/* The subject and SANs of add-selfsign-cert and request-cert: -S DN, or
 * --name/--org/... fields, and --san, up to the encoded request.  The
 * input's first byte picks the form, its lines are the options. */
#include <cert.h>
#include <certdb.h>

#include "fuzz.h"
#include "nssint.h"

static SECKEYPrivateKey *priv;
static SECKEYPublicKey *pub;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_nss_init();
	fuzz_ec_key(&priv, &pub);
	return 0;
}

/* The request-cert steps after the key: the request and its SANs. */
static void encode_request(CERTName *name, const p11c_san *san, size_t n)
{
	CERTSubjectPublicKeyInfo *spki = SECKEY_CreateSubjectPublicKeyInfo(pub);
	CERTCertificateRequest *req = spki ? CERT_CreateCertificateRequest(name, spki, NULL) : NULL;
	if (req && n) {
		void *h = CERT_StartCertificateRequestAttributes(req);
		if (h && p11c_add_san_extension(req->arena, h, san, n) == 0)
			FUZZ_ASSERT(CERT_FinishExtensions(h) == SECSuccess &&
			            CERT_FinishCertificateRequestAttributes(req) == SECSuccess);
		else if (h)
			CERT_FinishExtensions(h);
	}
	SECItem der = {siBuffer, NULL, 0};
	if (req)
		FUZZ_ASSERT(SEC_ASN1EncodeItem(req->arena, &der, req,
		                               SEC_ASN1_GET(CERT_CertificateRequestTemplate)));
	/* what show-cert prints of it */
	char *text = CERT_NameToAscii(name);
	PORT_Free(text);
	if (req)
		CERT_DestroyCertificateRequest(req);
	if (spki)
		SECKEY_DestroySubjectPublicKeyInfo(spki);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return -1;
	char *text = fuzz_text(data + 1, size - 1);
	char *line[8] = {0};
	size_t lines = 0;
	for (char *p = text; p && lines < 8;) {
		line[lines++] = p;
		p = strchr(p, '\n');
		if (p)
			*p++ = '\0';
	}
	p11c_dn_fields f = P11C_DN_FIELDS_INIT;
	f.cn = line[0], f.o = line[1], f.ou = line[2];
	f.l = line[3], f.st = line[4], f.c = line[5];
	p11c_selfsign_opts o = P11C_SELFSIGN_OPTS_INIT;
	switch (data[0] % 3) {
	case 0: /* -S DN */
		o.subject = text;
		break;
	case 1: /* -S DN --san SANS */
		o.subject = line[0];
		o.san = line[1];
		break;
	default: /* --name ... --country, --san */
		o.fields = &f;
		o.san = line[6];
		break;
	}
	p11c_db *db = fuzz_db();
	p11c_san *san = NULL;
	size_t n = 0;
	CERTName *name = NULL;
	int rc = p11c_collect_sans(db, &o, &san, &n);
	if (!rc)
		rc = p11c_subject_name(db, o.subject, o.fields, &name);
	fuzz_note("names", rc, p11c_last_error(db));
	if (!rc)
		encode_request(name, san, n);
	if (name)
		CERT_DestroyName(name);
	p11c_san_free(san, n);
	free(text);
	return 0;
}
