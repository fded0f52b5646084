/* SPDX-License-Identifier: MPL-2.0 */
/*
 * libp11cert: a certificate database whose private keys live in NSS's
 * internal token or on an external PKCS#11 token.
 *
 * Every function returns P11C_OK (0) or a negative P11C_E* code; on failure
 * p11c_last_error() tells why, naming the object and the NSS error, and
 * p11c_last_error_code() what kind of failure it was (p11c_errc).  A
 * NULL handle or pointer, an empty name or an out-of-range value is
 * P11C_EUSAGE naming the argument, never a crash.  The library never
 * prints.  Handles are opaque; what a *_new or *_open call
 * gives is freed by the matching *_free.
 */
#ifndef P11CERT_H
#define P11CERT_H

#include "p11cert/base.h"
#include "p11cert/db.h"
#include "p11cert/cert.h"
#include "p11cert/io.h"
#include "p11cert/token.h"
#include "p11cert/chain.h"
#include "p11cert/check.h"
#include "p11cert/acme.h"
#include "p11cert/ca.h"

#endif
