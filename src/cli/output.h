/* SPDX-License-Identifier: MPL-2.0 */
/* How a certificate is printed: the show-cert text and the JSON object. */
#ifndef P11C_OUTPUT_H
#define P11C_OUTPUT_H

#include "json.h"
#include "p11cert.h"

void output_cert_json(json_writer *w, const p11c_cert *i);
/* The object's members alone, for an object with more of its own. */
void output_cert_json_fields(json_writer *w, const p11c_cert *i);
/* "AB:CD:..." as openssl prints fingerprints, and a newline. */
void output_fingerprint(FILE *f, const char *hex);
void output_cert_text(FILE *f, const p11c_cert *i);

#endif
