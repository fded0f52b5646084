/* SPDX-License-Identifier: MPL-2.0 */
/* Private declarations that need NSS's types. */
#ifndef P11C_NSSINT_H
#define P11C_NSSINT_H

#include <cert.h>
#include <keyhi.h>
#include <pk11pub.h>

#include "internal.h"

/* Not part of the ABI: libp11cert exports only the API in p11cert.h. */
#pragma GCC visibility push(hidden)

/* db.c: the handle's own database slot, and what it may see.  A reference
 * to the handle's slot (NSS's internal key slot for the first database of
 * the process, else a slot of SECMOD_OpenUserDB). */
PK11SlotInfo *p11c_db_slot(p11c_db *db);
int p11c_is_own_slot(const p11c_db *db, PK11SlotInfo *slot);
/* The handle's own slot, or an external token's (never another handle's
 * database, nor the application's). */
int p11c_slot_visible(const p11c_db *db, PK11SlotInfo *slot);
/* Whether cert is on a slot the handle sees (or is a temporary one). */
int p11c_cert_visible(const p11c_db *db, CERTCertificate *cert);
/* Whether the handle's database is NSS's internal key slot, where NSS
 * reads a bare nickname. */
int p11c_db_is_nss_internal(const p11c_db *db);
/* The alias as the caller knows it: cert's nickname without the handle's
 * own token's "LABEL:" (NSS qualifies nicknames outside its internal key
 * slot). */
const char *p11c_alias_of(const p11c_db *db, CERTCertificate *cert);
/* The nickname NSS finds alias by: a bare alias (or "internal:alias")
 * qualified with the handle's token when that is not NSS's internal key
 * slot; "TOKEN:alias" as given.  malloc'd. */
char *p11c_nss_name(const p11c_db *db, const char *alias);
/* PK11_ListCerts without the certificates only other databases hold. */
CERTCertList *p11c_list_certs(p11c_db *db);

/* defects.c: the known defects of slot's token that break NSS servers,
 * found by harmless probes, cached per slot for the handle's life. */
#define P11C_DEFECT_EMPTY_COPY 1u /* C_CopyObject refuses an empty template */
unsigned p11c_token_defects(p11c_db *db, PK11SlotInfo *slot);
/* A warning when a key of this type on slot will not serve NSS servers. */
void p11c_token_defects_warn(p11c_db *db, PK11SlotInfo *slot, KeyType type);
void p11c_defect_message(PK11SlotInfo *slot, char *buf, size_t n);

/* pending.c: the steps of a write, each recorded before it is made (no-ops
 * without a record): a key about to be made on slot, a certificate about
 * to be stored on slot, and the commit (the new state is complete) with
 * the old certificate and key that are left to remove. */
int p11c_pending_keygen(p11c_db *db, PK11SlotInfo *slot);
int p11c_pending_cert(p11c_db *db, PK11SlotInfo *slot, const SECItem *der);
int p11c_pending_commit(p11c_db *db, CERTCertificate *old_cert, SECKEYPrivateKey *old_key);

/* keygen.c */
int p11c_keygen(p11c_db *db, PK11SlotInfo *slot, const p11c_key_spec *spec, int extractable,
                const char *nickname, SECKEYPrivateKey **priv, SECKEYPublicKey **pub);
/* After building on a new key pair: on failure (rc != 0) remove it from
 * its token, else only drop the references; *priv and *pub become NULL. */
void p11c_keypair_release(int rc, SECKEYPrivateKey **priv, SECKEYPublicKey **pub);
/* Remove a key pair made by p11c_keygen; destroys both structures. */
void p11c_key_destroy(SECKEYPrivateKey *priv, SECKEYPublicKey *pub);
/* A private key's nickname and CKA_ID in hex, malloc'd ("" when it has
 * none); -1 when out of memory. */
int p11c_key_names(SECKEYPrivateKey *key, char **name, char **id_hex);
/* CKA_EXTRACTABLE of key: 1, 0, or -1 when the token does not say. */
int p11c_key_extractable(SECKEYPrivateKey *key);
/* Delete a private key from its token with the public-key objects of the
 * same CKA_ID; destroys key.  0 or -1 (the private key stayed). */
int p11c_key_delete(SECKEYPrivateKey *key);
/* The digest to sign with under pub's key: SHA-256, or more for big EC. */
SECOidTag p11c_hash_for_key(const SECKEYPublicKey *pub);

/* certbuild.c: what goes into a certificate that p11cert issues. */
/* Extended key usage bits of a certificate p11cert issues (not the
 * public P11C_USAGE_* of verification). */
enum { P11C_EKU_SERVER_AUTH = 1, P11C_EKU_CLIENT_AUTH = 2 };
typedef struct {
	CERTName *subject;
	CERTName *issuer;
	SECKEYPublicKey *pub;         /* the subject's key */
	SECKEYPrivateKey *signer;     /* the issuer's private key */
	SECKEYPublicKey *signer_pub;  /* the issuer's public key (digest size) */
	CERTCertificate *issuer_cert; /* NULL when self-signed */
	int days;
	const p11c_san *san;
	size_t n_san;
	const SECItem *san_der; /* instead of san: an encoded extension to copy */
	int san_critical;       /* the subject is empty: the SANs name it */
	int ca;
	int usage; /* P11C_EKU_* for an end entity */
	const char *crl_url;  /* crlDistributionPoints, or NULL */
	const char *ocsp_url; /* authorityInfoAccess OCSP, or NULL */
} p11c_cert_template;

/* Add a subjectAltName extension of san to an extension handle. */
int p11c_add_san_extension(PLArenaPool *a, void *h, const p11c_san *san, size_t n);
/* Build and sign; *der is allocated with SECITEM_AllocItem(NULL ...). */
int p11c_cert_build(p11c_db *db, const p11c_cert_template *t, SECItem **der);

/* request.c: a PKCS#10 request (DER, malloc'd) for name and the SANs,
 * signed by priv (whose public half is pub). */
int p11c_request_der(p11c_db *db, CERTName *name, const p11c_san *san, size_t n_san,
                     SECKEYPrivateKey *priv, SECKEYPublicKey *pub, unsigned char **der,
                     size_t *len);
/* renew.c: store fresh as the new holder of old's alias and trust (the
 * pending record's cert step and commit made), then remove old, and
 * old_key when not NULL (a rotated key). */
int p11c_cert_replace(p11c_db *db, CERTCertificate *old, CERTCertificate *fresh,
                      SECKEYPrivateKey *old_key);
/* sign.c: the request in buf (PEM or DER, NUL-terminated; path names it
 * in messages), decoded into arena, its key strong enough, its signature
 * checked; *san its subjectAltName extension when it asks for one. */
int p11c_request_read(p11c_db *db, const char *path, PLArenaPool *arena, const unsigned char *buf,
                      size_t len, CERTCertificateRequest **req, SECItem **san);

/* export.c: what NSS's PKCS#12 code needs set first (process-wide). */
void p11c_p12_setup(void);
/* export.c: a PKCS#12 password as the BMPString NSS wants. */
int p11c_p12_password(p11c_db *db, const char *pw, SECItem *out);
void p11c_p12_password_free(SECItem *pw);

/* import.c: the imports' options, checked (size, names, flags:
 * P11C_EUSAGE naming func) and read as far as the caller's struct goes;
 * NULL: the defaults. */
int p11c_import_opts_read(p11c_db *db, const char *func, const p11c_import_opts *in,
                          p11c_import_opts *out);
/* import.c: make an imported key on an external token non-extractable
 * (a no-op when the token made it so). */
int p11c_key_keep_on_token(p11c_db *db, SECKEYPrivateKey *key, const char *alias);
/* import.c: fail unless the imported key is extractable (--extractable). */
int p11c_key_honour_extractable(p11c_db *db, SECKEYPrivateKey *key, const char *alias);

/* certstore.c */
/* Open the database (writable when write), log in to the tokens and to
 * the one alias names, and find alias's certificate: ENOTFOUND if none. */
int p11c_cert_open(p11c_db *db, const char *alias, int write, CERTCertificate **out);
/* The certificate answering to alias, or NULL (no message set). */
CERTCertificate *p11c_find_cert(p11c_db *db, const char *alias);
/* Store a decoded certificate under nickname on slot (the internal
 * slot when NULL), with trust when not NULL. */
int p11c_store_cert(p11c_db *db, PK11SlotInfo *slot, CERTCertificate *cert, const char *nickname,
                    const char *trust);
/* Certificates read from a file, and which of them this call stored. */
typedef struct {
	p11c_db *db; /* whose database a rollback removes them from */
	CERTCertificate **certs;
	size_t n;
	int *stored; /* stored by this call: removed again on failure */
} p11c_batch;
/* Read and decode the PEM or DER file at path; all or nothing. */
int p11c_batch_load(p11c_db *db, const char *path, p11c_batch *b);
/* The same of a buffer in memory (what names it in messages). */
int p11c_batch_from_buf(p11c_db *db, const char *what, const unsigned char *buf, size_t len,
                        p11c_batch *b);
/* Free, removing what this call stored when rollback. */
void p11c_batch_free(p11c_batch *b, int rollback);
/* Store all but certs[skip] as CA certificates named by their subject. */
int p11c_store_rest(p11c_db *db, p11c_batch *b, size_t skip, const char *trust);
/* Set NSS trust (string form) on a stored certificate. */
int p11c_set_trust(p11c_db *db, CERTCertificate *cert, const char *nickname, const char *trust);
/* "TOKEN:alias" for an external slot, alias for the internal one. */
char *p11c_qualified(p11c_db *db, PK11SlotInfo *slot, const char *alias);

/* modules.c: where an object on slot is, for messages: "in the database",
 * "on token 'T' of module 'M' (registered in the database (pkcs11.txt))". */
void p11c_slot_where(const p11c_db *db, PK11SlotInfo *slot, char *buf, size_t n);

/* certstore.c: "the certificate in 'path' is already stored as 'x', on
 * token ...": fails with P11C_EFAIL. */
int p11c_already_stored(p11c_db *db, const char *path, CERTCertificate *cert);
/* The private key of cert on a token this handle sees, or NULL. */
SECKEYPrivateKey *p11c_key_for_cert(p11c_db *db, CERTCertificate *cert);
/* Remove cert from the tokens this handle sees (SEC_DeletePermCertificate
 * when no other database holds it). */
SECStatus p11c_delete_cert(p11c_db *db, CERTCertificate *cert);
/* Remove what copies of the certificate der are left in the database
 * (cert9.db keeps one for the trust of a certificate on a token). */
int p11c_remove_copies(p11c_db *db, SECItem *der, const char *alias);
/* certstore.c: stored where this handle sees it (not only in another
 * database). */
int p11c_cert_stored(p11c_db *db, CERTCertificate *cert);
/* Check alias is free for a new certificate on slot. */
int p11c_alias_check_new(p11c_db *db, PK11SlotInfo *slot, const char *alias);

/* selfsign.c: the SANs of opts (with a host-name CN as a DNS SAN). */
int p11c_collect_sans(p11c_db *db, const p11c_selfsign_opts *opts, p11c_san **san, size_t *n);
/* keygen.c: fail if a private key on slot already carries name. */
int p11c_key_name_check_new(p11c_db *db, PK11SlotInfo *slot, const char *name);
/* selfsign.c: the subject from -S or the msgcert fields. */
int p11c_subject_name(p11c_db *db, const char *subject, const p11c_dn_fields *fields,
                      CERTName **out);

/* certinfo.c: the name list-certs gives a slot's token ("internal" for
 * NSS's own and the database's). */
const char *p11c_token_of(PK11SlotInfo *slot);
/* certinfo.c: whether cert may have a private key the handle can see
 * (without the database's own login, NSS's user-certificate mark says). */
int p11c_may_have_key(p11c_db *db, CERTCertificate *cert);
/* certinfo.c: the plain fields of a certificate; NULL when out of memory. */
p11c_cert *p11c_cert_info_of(p11c_db *db, CERTCertificate *cert);
/* As p11c_cert_info_of; with P11C_INFO_KEY_BY_MARK, a certificate of the
 * database's own token while it is not logged in has a key when NSS marks
 * it as the user's (no login, no key search; key details unknown). */
enum {
	P11C_INFO_KEY_BY_MARK = 1u << 0,
	/* p11c_cert_info_scanned: the scan saw a key beside it (its "u") */
	P11C_INFO_MARKED = 1u << 1,
	/* p11c_cert_info_scanned: cert is NSS's own, its key looked up */
	P11C_INFO_NSS_CERT = 1u << 2
};
p11c_cert *p11c_cert_info_with(p11c_db *db, CERTCertificate *cert, unsigned how);
/* certscan.c: one private key of the database's own token, as one pass
 * over them read it (p11c_scan_keys): what NSS's per-certificate lookups
 * (p11c_key_for_cert, PK11_GetPrivateKeyNickname, ...) would give. */
typedef struct {
	unsigned char *id; /* CKA_ID */
	size_t id_len;
	char *label;            /* CKA_LABEL, "" when empty */
	int extractable;        /* CKA_EXTRACTABLE: 1 or 0 */
	unsigned long key_type; /* CKA_KEY_TYPE (CKK_RSA ...) */
	int session;            /* a session object (PK11_ListPrivKeysInSlot skips it) */
	int twin;               /* another private key has its CKA_ID: which one NSS
	                         * finds for a certificate is the token's choice */
	int has_cert;           /* a scanned certificate has its CKA_ID */
} p11c_scanned_key;
typedef struct {
	p11c_scanned_key *v; /* in the token's order */
	size_t n;
	p11c_scanned_key **by_id; /* sorted by CKA_ID */
	CK_TOKEN_INFO ti;         /* the token's, read once (key URIs) */
	int have_ti;
	PLArenaPool *arena; /* the attributes */
} p11c_scanned_keys;

/* certscan.c: the database's own token's certificates read straight from
 * its objects, far cheaper than NSS's listing.  keyed: a key object of
 * the token has the certificate's CKA_ID (NSS's "u").  cert is decoded
 * (no slot), trust as the token's trust object gives it; key, after
 * p11c_scan_keys, the private key with its CKA_ID, or NULL. */
typedef struct {
	CERTCertificate *cert;
	char *label;
	CERTCertTrust trust;
	int keyed;
	unsigned char *id; /* CKA_ID */
	size_t id_len;
	const p11c_scanned_key *key;
} p11c_scanned;
/* Whether the scan can stand for NSS's listing: no token but the
 * database's own is in sight. */
int p11c_scan_usable(p11c_db *db);
/* 0; 1 when an object is not as the scan expects (use NSS's listing);
 * -1 out of memory. */
int p11c_scan_own_token(p11c_db *db, p11c_scanned **out, size_t *n);
void p11c_scanned_free(p11c_scanned *s, size_t n);
/* hold 1: the trust objects the next scan reads are kept for the scans
 * after it, until hold 0 frees them; for a call that logs in between
 * (check: once the token is logged in, each trust attribute read costs a
 * key derivation to verify its MAC). */
void p11c_scan_hold_trust(p11c_db *db, int hold);
/* After a login (or with none needed): the own token's private keys in
 * one pass, kept in *out; those now in sight mark their certificates
 * keyed too (a key whose public key object is gone), and each s[i].key is
 * set.  0, or -1 (*out NULL, s[i].key NULL, the marks as they were). */
int p11c_scan_keys(p11c_db *db, p11c_scanned *s, size_t n, p11c_scanned_keys **out);
void p11c_scanned_keys_free(p11c_scanned_keys *k);
/* certinfo.c: as p11c_cert_info_with, for a certificate the database's own
 * token was read for (certscan.c): its alias and trust as given.  With
 * keys (the pass of p11c_scan_keys), key is its private key (or NULL: none)
 * and cert the decoded one; else with P11C_INFO_NSS_CERT, cert is NSS's
 * own (its key looked up), without, a decoded one (no key details). */
p11c_cert *p11c_cert_info_scanned(p11c_db *db, CERTCertificate *cert, unsigned how,
                                  const char *alias, const CERTCertTrust *trust,
                                  const p11c_scanned_keys *keys, const p11c_scanned_key *key);

/* What the library knows of a certificate (certinfo.c makes it, certget.c
 * reads it): opaque to callers.  Strings are NUL-terminated and owned by
 * it. */
struct p11c_cert {
	char *alias;                   /* "alias" or "TOKEN:alias" */
	char *token;                   /* token holding the certificate */
	int version;                   /* 1, 2, 3 */
	char *serial;                  /* hex, lower case */
	char *sig_alg;                 /* e.g. "PKCS #1 SHA-256 With RSA Encryption" */
	int64_t not_before, not_after; /* seconds since the epoch, UTC */
	char *subject, *issuer;        /* RFC 4514 */
	int self_signed;
	char **san; /* "dns:a.example", "ip:192.0.2.1", "email:x@a" */
	size_t n_san;
	char *key_type;       /* "rsa:2048", "ec:p256" */
	char *sha1, *sha256;  /* hex, lower case, no colons */
	char *trust;          /* NSS form, "CT,," */
	char *trust_words[3]; /* msgcert's words for the SSL, email and object
	                       * signing fields: "Valid CA, Trusted CA" */
	int has_key;
	char *key_token;      /* token holding the private key, or NULL */
	int key_extractable;  /* 1, 0, or -1 when unknown or no key */
	char *key_uri;        /* the private key's pkcs11: URI, or NULL */
	char *pem;            /* the certificate, PEM */
	int key_unknown;      /* 1: its token was not logged in, so whether it
	                       * has a key is unknown (has_key 0, key_* unset) */
	char *key_note;       /* why, when key_unknown ("wrong PIN for token
	                       * 'hsm' (CKR_PIN_INCORRECT)"), else NULL */
	unsigned trust_roles; /* P11C_TRUST_* */
};

/* What p11c_cert_list() gives (certlist.c). */
struct p11c_token_problem {
	char *token;     /* its label */
	int code;        /* P11C_EPASSWORD (no PIN, wrong PIN), P11C_ETOKEN */
	int login_tried; /* 1: a PIN was tried once and refused; 0: none given */
	char *reason;    /* "wrong PIN for token 'hsm' (CKR_PIN_INCORRECT)" */
};
struct p11c_cert_listing {
	p11c_cert **certs; /* sorted by alias */
	size_t n;
	p11c_token_problem **problems; /* one a token, in NSS's slot order */
	size_t n_problems;
};

/* trust.c: the P11C_TRUST_* roles of NSS's trust flags. */
unsigned p11c_trust_roles_of(const CERTCertTrust *t);
/* certstore.c: a free name for cert from its subject (CN, else O, else a
 * SHA-256 prefix), made unique with " #2" ...; malloc'd. */
char *p11c_name_for_cert(p11c_db *db, CERTCertificate *cert);

/* strcheck.c: names from outside, before they are signed.  A subject's
 * attributes (at most P11C_MAX_NAME_ATTRS) must each be one DER string
 * valid in its type (UTF-8 as UTF-8, PrintableString's characters ...)
 * without control characters; general names (at most P11C_MAX_SANS) must
 * be DNS names, IP addresses, mailboxes or URIs of printable ASCII.  what
 * names the whole in the message ("the request's subject"); code is the
 * status of a refused name. */
#define P11C_MAX_NAME_ATTRS 64
#define P11C_MAX_SANS 256
int p11c_name_check(p11c_db *db, int code, const char *what, const CERTName *name);
int p11c_general_names_check(p11c_db *db, const char *what, CERTGeneralName *head);

#pragma GCC visibility pop

#endif
