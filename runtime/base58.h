/*
 * Base58 with the Bitcoin alphabet, the text form of symbol file names
 * (base58 of a 32-byte BLAKE3 hash). Internal, not part of the public API.
 */
#ifndef RQ_RUNTIME_BASE58_H
#define RQ_RUNTIME_BASE58_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The longest value converted either way, leading zero bytes included. */
#define RQ_BASE58_MAX_BYTES 64u

/* Room for the text of 32 bytes (at most 44 characters) and its NUL. */
#define RQ_BASE58_ID_CAP 45u

/*
 * Writes the base58 text of in[0..len) and a NUL into out; returns the number
 * of characters (without NUL), or 0 if out_cap is too small or len is above
 * RQ_BASE58_MAX_BYTES. Leading zero bytes become leading '1's. Empty input
 * gives "" and also returns 0.
 */
size_t rq_base58_encode(const uint8_t *in, size_t len, char *out, size_t out_cap);

/*
 * Parses base58 text; returns 0 and sets *out_len on success, -1 on a
 * character outside the alphabet (or empty input), -2 if the value does not
 * fit out_cap bytes (nor RQ_BASE58_MAX_BYTES). Leading '1's become leading
 * zero bytes.
 */
int rq_base58_decode(const char *text, uint8_t *out, size_t out_cap, size_t *out_len);

/*
 * 1 iff text is the base58 of exactly 32 bytes, the form of a symbol ID; so
 * a name that passes is safe as a file name (no '/', '.', or empty name).
 */
int rq_symbol_id_is_valid(const char *text);

#ifdef __cplusplus
}
#endif

#endif
