// libsodium opened when the web service first needs it (detail/lazy_library.h): the functions
// store.cpp calls.
#include <sodium.h>

#include "../detail/lazy_library.h"

LEITONG_LAZY_LIBRARY(sodium, LEITONG_SONAME_SODIUM, "the web service's passwords and tokens")

#define LAZY(RETURN, NAME, PARAMS, ARGS) \
  LEITONG_LAZY_FUNCTION(sodium, LEITONG_SONAME_SODIUM, RETURN, NAME, PARAMS, ARGS)

LAZY(int, sodium_init, (void), ())
LAZY(int, crypto_generichash,
     (unsigned char* out, size_t outlen, const unsigned char* in, unsigned long long inlen, const unsigned char* key,
      size_t keylen),
     (out, outlen, in, inlen, key, keylen))
LAZY(int, crypto_pwhash_argon2id_str,
     (char out[crypto_pwhash_argon2id_STRBYTES], const char* const passwd, unsigned long long passwdlen,
      unsigned long long opslimit, size_t memlimit),
     (out, passwd, passwdlen, opslimit, memlimit))
LAZY(int, crypto_pwhash_argon2id_str_verify,
     (const char str[crypto_pwhash_argon2id_STRBYTES], const char* const passwd, unsigned long long passwdlen),
     (str, passwd, passwdlen))
LAZY(void, randombytes_buf, (void* const buf, const size_t size), (buf, size))
LAZY(char*, sodium_bin2hex, (char* const hex, const size_t hex_maxlen, const unsigned char* const bin, const size_t bin_len),
     (hex, hex_maxlen, bin, bin_len))
LAZY(int, sodium_memcmp, (const void* const b1_, const void* const b2_, size_t len), (b1_, b2_, len))
