/*
 * Base58 (Bitcoin alphabet): the bytes as one big-endian number written in
 * base 58, each leading zero byte written as a leading '1' (the digit 0) so
 * that text and bytes map one to one. Conversion is schoolbook, quadratic in
 * the length: meant for hashes and IDs, not for bulk data.
 */
#include "runtime/base58.h"

#include <string.h>

static const char ALPHABET[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/* The value of a base58 digit, or -1 for any other character. */
static int digit_value(char c)
{
    const char *p = c != '\0' ? strchr(ALPHABET, c) : NULL;
    return p != NULL ? (int)(p - ALPHABET) : -1;
}

/* Reverses s[0..len), which holds the digits least significant first. */
static void reverse(unsigned char *s, size_t len)
{
    for (size_t i = 0, j = len; i + 1 < j; i++, j--) {
        unsigned char t = s[i];
        s[i] = s[j - 1];
        s[j - 1] = t;
    }
}

size_t rq_base58_encode(const uint8_t *in, size_t len, char *out, size_t out_cap)
{
    size_t zeros = 0;
    while (zeros < len && in[zeros] == 0)
        zeros++;
    if (out_cap < zeros + 1) {
        if (out_cap > 0)
            out[0] = '\0';
        return 0;
    }
    /* The digits of the rest are built in out itself, after the '1's, least significant first. */
    unsigned char *digits = (unsigned char *)out + zeros;
    const size_t room = out_cap - zeros - 1;
    size_t n = 0;
    for (size_t i = zeros; i < len; i++) {
        unsigned carry = in[i];
        for (size_t j = 0; j < n; j++) {
            carry += (unsigned)digits[j] << 8;
            digits[j] = (unsigned char)(carry % 58);
            carry /= 58;
        }
        for (; carry > 0; carry /= 58) {
            if (n == room) {
                out[0] = '\0';
                return 0;
            }
            digits[n++] = (unsigned char)(carry % 58);
        }
    }
    reverse(digits, n);
    for (size_t j = 0; j < n; j++)
        out[zeros + j] = ALPHABET[digits[j]];
    memset(out, '1', zeros);
    out[zeros + n] = '\0';
    return zeros + n;
}

int rq_base58_decode(const char *text, uint8_t *out, size_t out_cap, size_t *out_len)
{
    if (text == NULL || text[0] == '\0')
        return -1;
    for (const char *p = text; *p != '\0'; p++)
        if (digit_value(*p) < 0)
            return -1;
    size_t zeros = 0;
    while (text[zeros] == '1')
        zeros++;
    if (zeros > out_cap)
        return -2;
    /* The number after the '1's is built in out after the zero bytes, least significant byte first. */
    size_t n = 0;
    for (const char *p = text + zeros; *p != '\0'; p++) {
        unsigned carry = (unsigned)digit_value(*p);
        for (size_t j = 0; j < n; j++) {
            carry += 58u * out[zeros + j];
            out[zeros + j] = (uint8_t)carry;
            carry >>= 8;
        }
        for (; carry > 0; carry >>= 8) {
            if (zeros + n == out_cap)
                return -2;
            out[zeros + n++] = (uint8_t)carry;
        }
    }
    if (n > 0)
        reverse(out + zeros, n);
    if (zeros > 0)
        memset(out, 0, zeros);
    if (out_len != NULL)
        *out_len = zeros + n;
    return 0;
}

int rq_symbol_id_is_valid(const char *text)
{
    enum { ID_BYTES = 32, ID_MAX_CHARS = RQ_BASE58_ID_CAP - 1 };
    if (text == NULL)
        return 0;
    /* Bounded look at the length first, so a long string costs nothing to reject. */
    size_t chars = 0;
    while (chars <= ID_MAX_CHARS && text[chars] != '\0')
        chars++;
    if (chars > ID_MAX_CHARS)
        return 0;
    uint8_t bytes[ID_BYTES];
    size_t len = 0;
    return rq_base58_decode(text, bytes, sizeof bytes, &len) == 0 && len == ID_BYTES;
}
