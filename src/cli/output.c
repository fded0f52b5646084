/* SPDX-License-Identifier: MPL-2.0 */
#include <ctype.h>
#include <string.h>

#include "cli.h"
#include "output.h"

void output_fingerprint(FILE *f, const char *hex)
{
	for (size_t i = 0; hex[i]; i++) {
		if (i && i % 2 == 0)
			fputc(':', f);
		fputc(toupper((unsigned char)hex[i]), f);
	}
	fputc('\n', f);
}

static void trust_array(json_writer *w, const char *words)
{
	json_array_begin(w);
	for (const char *p = words; p && *p;) {
		const char *comma = strstr(p, ", ");
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		char buf[64];
		snprintf(buf, sizeof(buf), "%.*s", (int)n, p);
		json_string(w, buf);
		p = comma ? comma + 2 : NULL;
	}
	json_array_end(w);
}

void output_cert_json(json_writer *w, const p11c_cert *i)
{
	json_object_begin(w);
	output_cert_json_fields(w, i);
	json_object_end(w);
}

void output_cert_json_fields(json_writer *w, const p11c_cert *i)
{
	char t[32];
	json_key(w, "alias");
	json_string(w, i->alias);
	json_key(w, "token");
	json_string(w, i->token);
	json_key(w, "version");
	json_int(w, i->version);
	json_key(w, "serial");
	json_string(w, i->serial);
	json_key(w, "signature_algorithm");
	json_string(w, i->sig_alg);
	json_key(w, "not_before");
	cli_time_rfc3339(i->not_before, t, sizeof(t));
	json_string(w, t);
	json_key(w, "not_after");
	cli_time_rfc3339(i->not_after, t, sizeof(t));
	json_string(w, t);
	json_key(w, "subject");
	json_string(w, i->subject);
	json_key(w, "issuer");
	json_string(w, i->issuer);
	json_key(w, "self_signed");
	json_bool(w, i->self_signed);
	json_key(w, "san");
	json_array_begin(w);
	for (size_t k = 0; k < i->n_san; k++)
		json_string(w, i->san[k]);
	json_array_end(w);
	json_key(w, "key_type");
	json_string(w, i->key_type);
	json_key(w, "sha1");
	json_string(w, i->sha1);
	json_key(w, "sha256");
	json_string(w, i->sha256);
	json_key(w, "trust");
	json_string(w, i->trust);
	json_key(w, "trust_flags");
	json_object_begin(w);
	json_key(w, "ssl");
	trust_array(w, i->trust_words[0]);
	json_key(w, "email");
	trust_array(w, i->trust_words[1]);
	json_key(w, "object_signing");
	trust_array(w, i->trust_words[2]);
	json_object_end(w);
	json_key(w, "has_key");
	if (i->key_unknown) /* its token was not logged in */
		json_null(w);
	else
		json_bool(w, i->has_key);
	json_key(w, "key_note");
	json_string(w, i->key_note);
	json_key(w, "key_token");
	json_string(w, i->key_token);
	json_key(w, "key_extractable");
	if (i->key_extractable < 0)
		json_null(w);
	else
		json_bool(w, i->key_extractable);
	json_key(w, "key_uri");
	json_string(w, i->key_uri);
}

static void line(FILE *f, const char *label, const char *value)
{
	fprintf(f, "%-21s%s\n", label, value ? value : "");
}

void output_cert_text(FILE *f, const p11c_cert *i)
{
	char t[32], buf[64];
	line(f, "Alias:", i->alias);
	line(f, "Token:", i->token);
	snprintf(buf, sizeof(buf), "%d (0x%x)", i->version, i->version - 1);
	line(f, "Version:", buf);
	line(f, "Serial number:", i->serial);
	line(f, "Signature algorithm:", i->sig_alg);
	cli_time_table(i->not_before, t, sizeof(t));
	snprintf(buf, sizeof(buf), "%s UTC", t);
	line(f, "Not before:", buf);
	cli_time_table(i->not_after, t, sizeof(t));
	snprintf(buf, sizeof(buf), "%s UTC", t);
	line(f, "Not after:", buf);
	line(f, "Subject:", i->subject);
	line(f, "Issuer:", i->self_signed ? "Same as subject (self-signed)" : i->issuer);
	fprintf(f, "%-21s", "Subject alt names:");
	for (size_t k = 0; k < i->n_san; k++)
		fprintf(f, "%s%s", k ? ", " : "", i->san[k]);
	fputc('\n', f);
	line(f, "Key:", i->key_type);
	fprintf(f, "%-21s", "SHA-1 fingerprint:");
	output_fingerprint(f, i->sha1);
	fprintf(f, "%-21s", "SHA-256 fingerprint:");
	output_fingerprint(f, i->sha256);
	line(f, "Trust:", i->trust);
	line(f, "  SSL flags:", i->trust_words[0]);
	line(f, "  Email flags:", i->trust_words[1]);
	line(f, "  Object signing:", i->trust_words[2]);
	if (i->key_unknown) {
		fprintf(f, "%-21sunknown: %s\n", "Private key:", i->key_note);
		return;
	}
	if (!i->has_key) {
		line(f, "Private key:", "none in the database");
		return;
	}
	fprintf(f, "%-21son token %s, %s\n", "Private key:", i->key_token,
	        i->key_extractable == 0   ? "not extractable"
	        : i->key_extractable == 1 ? "extractable"
	                                  : "extractability unknown");
	line(f, "Key URI:", i->key_uri);
}
