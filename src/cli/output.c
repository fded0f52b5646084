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
	json_string(w, p11c_cert_alias(i));
	json_key(w, "token");
	json_string(w, p11c_cert_token(i));
	json_key(w, "version");
	json_int(w, p11c_cert_version(i));
	json_key(w, "serial");
	json_string(w, p11c_cert_serial(i));
	json_key(w, "signature_algorithm");
	json_string(w, p11c_cert_sig_alg(i));
	json_key(w, "not_before");
	cli_time_rfc3339(p11c_cert_not_before(i), t, sizeof(t));
	json_string(w, t);
	json_key(w, "not_after");
	cli_time_rfc3339(p11c_cert_not_after(i), t, sizeof(t));
	json_string(w, t);
	json_key(w, "subject");
	json_string(w, p11c_cert_subject(i));
	json_key(w, "issuer");
	json_string(w, p11c_cert_issuer(i));
	json_key(w, "self_signed");
	json_bool(w, p11c_cert_is_self_signed(i));
	json_key(w, "san");
	json_array_begin(w);
	for (size_t k = 0; k < p11c_cert_san_count(i); k++)
		json_string(w, p11c_cert_san(i, k));
	json_array_end(w);
	json_key(w, "key_type");
	json_string(w, p11c_cert_key_type(i));
	json_key(w, "sha1");
	json_string(w, p11c_cert_sha1(i));
	json_key(w, "sha256");
	json_string(w, p11c_cert_sha256(i));
	json_key(w, "trust");
	json_string(w, p11c_cert_trust(i));
	json_key(w, "trust_flags");
	json_object_begin(w);
	json_key(w, "ssl");
	trust_array(w, p11c_cert_trust_words(i, P11C_TRUST_FIELD_SSL));
	json_key(w, "email");
	trust_array(w, p11c_cert_trust_words(i, P11C_TRUST_FIELD_EMAIL));
	json_key(w, "object_signing");
	trust_array(w, p11c_cert_trust_words(i, P11C_TRUST_FIELD_OBJECT_SIGNING));
	json_object_end(w);
	json_key(w, "has_key");
	p11c_key_state key = p11c_cert_key_state(i);
	if (key == P11C_KEY_UNKNOWN) /* its token was not logged in */
		json_null(w);
	else
		json_bool(w, key == P11C_KEY_PRESENT);
	json_key(w, "key_note");
	json_string(w, p11c_cert_key_note(i));
	json_key(w, "key_token");
	json_string(w, p11c_cert_key_token(i));
	json_key(w, "key_extractable");
	p11c_extractable x = p11c_cert_key_extractable(i);
	if (x == P11C_EXTRACTABLE_UNKNOWN)
		json_null(w);
	else
		json_bool(w, x == P11C_EXTRACTABLE_YES);
	json_key(w, "key_uri");
	json_string(w, p11c_cert_key_uri(i));
}

static void line(FILE *f, const char *label, const char *value)
{
	fprintf(f, "%-21s%s\n", label, value ? value : "");
}

void output_cert_text(FILE *f, const p11c_cert *i)
{
	char t[32], buf[64];
	line(f, "Alias:", p11c_cert_alias(i));
	line(f, "Token:", p11c_cert_token(i));
	snprintf(buf, sizeof(buf), "%d (0x%x)", p11c_cert_version(i), p11c_cert_version(i) - 1);
	line(f, "Version:", buf);
	line(f, "Serial number:", p11c_cert_serial(i));
	line(f, "Signature algorithm:", p11c_cert_sig_alg(i));
	cli_time_table(p11c_cert_not_before(i), t, sizeof(t));
	snprintf(buf, sizeof(buf), "%s UTC", t);
	line(f, "Not before:", buf);
	cli_time_table(p11c_cert_not_after(i), t, sizeof(t));
	snprintf(buf, sizeof(buf), "%s UTC", t);
	line(f, "Not after:", buf);
	line(f, "Subject:", p11c_cert_subject(i));
	line(f, "Issuer:",
	     p11c_cert_is_self_signed(i) ? "Same as subject (self-signed)" : p11c_cert_issuer(i));
	fprintf(f, "%-21s", "Subject alt names:");
	for (size_t k = 0; k < p11c_cert_san_count(i); k++)
		fprintf(f, "%s%s", k ? ", " : "", p11c_cert_san(i, k));
	fputc('\n', f);
	line(f, "Key:", p11c_cert_key_type(i));
	fprintf(f, "%-21s", "SHA-1 fingerprint:");
	output_fingerprint(f, p11c_cert_sha1(i));
	fprintf(f, "%-21s", "SHA-256 fingerprint:");
	output_fingerprint(f, p11c_cert_sha256(i));
	line(f, "Trust:", p11c_cert_trust(i));
	line(f, "  SSL flags:", p11c_cert_trust_words(i, P11C_TRUST_FIELD_SSL));
	line(f, "  Email flags:", p11c_cert_trust_words(i, P11C_TRUST_FIELD_EMAIL));
	line(f, "  Object signing:", p11c_cert_trust_words(i, P11C_TRUST_FIELD_OBJECT_SIGNING));
	p11c_key_state key = p11c_cert_key_state(i);
	if (key == P11C_KEY_UNKNOWN) {
		fprintf(f, "%-21sunknown: %s\n", "Private key:", p11c_cert_key_note(i));
		return;
	}
	if (key != P11C_KEY_PRESENT) {
		line(f, "Private key:", "none in the database");
		return;
	}
	fprintf(f, "%-21son token %s, %s\n", "Private key:", p11c_cert_key_token(i),
	        p11c_cert_key_extractable(i) == P11C_EXTRACTABLE_NO    ? "not extractable"
	        : p11c_cert_key_extractable(i) == P11C_EXTRACTABLE_YES ? "extractable"
	                                                               : "extractability unknown");
	line(f, "Key URI:", p11c_cert_key_uri(i));
}
