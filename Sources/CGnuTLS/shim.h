// CGnuTLS: GnuTLS 3.7 and nettle, the independent implementation that Sigil's
// results are checked against. Used by tests and tools only, never by the shipped
// libraries. The shim only gathers the headers; Swift imports their functions directly.
#ifndef SIGIL_CGNUTLS_SHIM_H
#define SIGIL_CGNUTLS_SHIM_H

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <nettle/rsa.h>
#include <nettle/sha2.h>
#include <nettle/bignum.h>

#endif
