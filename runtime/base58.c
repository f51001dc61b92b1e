/*
 * Base58 (Bitcoin alphabet): the bytes as one big-endian number written in
 * base 58, each leading zero byte written as a leading '1' (the digit 0) so
 * that text and bytes map one to one. Conversion is quadratic in the length
 * and works in 32-bit limbs of values up to RQ_BASE58_MAX_BYTES: meant for
 * hashes and IDs, not for bulk data.
 */
#include "runtime/base58.h"

#include <stdint.h>
#include <string.h>

static const char ALPHABET[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/*
 * A base58 digit's value plus one, by character; 0 for any other character.
 * A table, not a search of the alphabet or a test of its ranges (which
 * leave out 0, I, O and l): validating a layout's symbol IDs looks up every
 * character, and random characters defeat branch prediction.
 */
static const unsigned char DIGIT_PLUS_ONE[256] = {
    ['1'] = 1, ['2'] = 2, ['3'] = 3, ['4'] = 4, ['5'] = 5, ['6'] = 6, ['7'] = 7, ['8'] = 8,
    ['9'] = 9, ['A'] = 10, ['B'] = 11, ['C'] = 12, ['D'] = 13, ['E'] = 14, ['F'] = 15, ['G'] = 16,
    ['H'] = 17, ['J'] = 18, ['K'] = 19, ['L'] = 20, ['M'] = 21, ['N'] = 22, ['P'] = 23, ['Q'] = 24,
    ['R'] = 25, ['S'] = 26, ['T'] = 27, ['U'] = 28, ['V'] = 29, ['W'] = 30, ['X'] = 31, ['Y'] = 32,
    ['Z'] = 33, ['a'] = 34, ['b'] = 35, ['c'] = 36, ['d'] = 37, ['e'] = 38, ['f'] = 39, ['g'] = 40,
    ['h'] = 41, ['i'] = 42, ['j'] = 43, ['k'] = 44, ['m'] = 45, ['n'] = 46, ['o'] = 47, ['p'] = 48,
    ['q'] = 49, ['r'] = 50, ['s'] = 51, ['t'] = 52, ['u'] = 53, ['v'] = 54, ['w'] = 55, ['x'] = 56,
    ['y'] = 57, ['z'] = 58};

/* The value of a base58 digit, or -1 for any other character. */
static int digit_value(char c)
{
    return (int)DIGIT_PLUS_ONE[(unsigned char)c] - 1;
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

#define LIMB_BYTES_MAX RQ_BASE58_MAX_BYTES
#define FIVE_DIGITS 656356768u /* 58^5, below 2^32 */

/*
 * The base58 digits of the number in[0..len) (big-endian, 0 < len <=
 * LIMB_BYTES_MAX, in[0] != 0), least significant first: each pass divides
 * the number (32-bit limbs) by 58^5 and gives five digits. Returns how
 * many, or SIZE_MAX if more than room.
 */
static size_t digits_by_limbs(const uint8_t *in, size_t len, unsigned char *digits, size_t room)
{
    uint32_t limb[LIMB_BYTES_MAX / 4] = {0}; /* least significant first */
    for (size_t i = 0; i < len; i++) {
        size_t b = len - 1 - i; /* byte b of the number, from the least significant */
        limb[b / 4] |= (uint32_t)in[i] << (8 * (b % 4));
    }
    size_t n = (len + 3) / 4, nd = 0;
    while (n > 0) {
        uint64_t rest = 0;
        for (size_t j = n; j-- > 0;) {
            uint64_t t = rest << 32 | limb[j];
            limb[j] = (uint32_t)(t / FIVE_DIGITS);
            rest = t % FIVE_DIGITS;
        }
        while (n > 0 && limb[n - 1] == 0)
            n--;
        /* Five digits, but no zero digits above the number's first. */
        for (int g = 0; g < 5 && (n > 0 || rest > 0); g++, rest /= 58) {
            if (nd == room)
                return SIZE_MAX;
            digits[nd++] = (unsigned char)(rest % 58);
        }
    }
    return nd;
}

size_t rq_base58_encode(const uint8_t *in, size_t len, char *out, size_t out_cap)
{
    size_t zeros = 0;
    while (zeros < len && in[zeros] == 0)
        zeros++;
    if (out_cap < zeros + 1 || len > RQ_BASE58_MAX_BYTES) {
        if (out_cap > 0)
            out[0] = '\0';
        return 0;
    }
    /* The digits of the rest are built in out itself, after the '1's, least significant first. */
    unsigned char *digits = (unsigned char *)out + zeros;
    const size_t room = out_cap - zeros - 1, rest = len - zeros;
    size_t n = rest == 0 ? 0 : digits_by_limbs(in + zeros, rest, digits, room);
    if (n == SIZE_MAX) {
        out[0] = '\0';
        return 0;
    }
    reverse(digits, n);
    for (size_t j = 0; j < n; j++)
        out[zeros + j] = ALPHABET[digits[j]];
    memset(out, '1', zeros);
    out[zeros + n] = '\0';
    return zeros + n;
}

/*
 * The value of the digits after the leading '1's into out[0..cap) (cap <=
 * LIMB_BYTES_MAX), most significant byte first: five digits (58^5 < 2^32)
 * multiply in per pass over 32-bit limbs. Returns the number of bytes, or
 * -1 if they do not fit.
 */
static long value_by_limbs(const char *digits, uint8_t *out, size_t cap)
{
    uint32_t limb[LIMB_BYTES_MAX / 4 + 1]; /* least significant first */
    const size_t cap_limbs = cap / 4 + 1;
    size_t n = 0;
    for (const char *p = digits; *p != '\0';) {
        uint32_t group = 0, scale = 1;
        for (int g = 0; g < 5 && *p != '\0'; g++, p++) {
            group = group * 58u + (uint32_t)digit_value(*p);
            scale *= 58u;
        }
        uint64_t carry = group;
        for (size_t j = 0; j < n; j++) {
            uint64_t t = (uint64_t)limb[j] * scale + carry;
            limb[j] = (uint32_t)t;
            carry = t >> 32;
        }
        if (carry > 0) {
            if (n == cap_limbs)
                return -1;
            limb[n++] = (uint32_t)carry;
        }
    }
    size_t bytes = 4 * n;
    while (bytes > 0 && (uint8_t)(limb[(bytes - 1) / 4] >> (8 * ((bytes - 1) % 4))) == 0)
        bytes--;
    if (bytes > cap)
        return -1;
    for (size_t i = 0; i < bytes; i++) {
        size_t b = bytes - 1 - i; /* byte b of the number, counted from the least significant */
        out[i] = (uint8_t)(limb[b / 4] >> (8 * (b % 4)));
    }
    return (long)bytes;
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
    if (out_cap > RQ_BASE58_MAX_BYTES)
        out_cap = RQ_BASE58_MAX_BYTES;
    if (zeros > out_cap)
        return -2;
    const size_t cap = out_cap - zeros;
    uint8_t *value = out != NULL ? out + zeros : NULL; /* NULL only with cap 0: never written */
    long n = value_by_limbs(text + zeros, value, cap);
    if (n < 0)
        return -2;
    if (zeros > 0)
        memset(out, 0, zeros);
    if (out_len != NULL)
        *out_len = zeros + (size_t)n;
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
