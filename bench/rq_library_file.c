/*
 * One rq-library ABI call from the command line, for timing it with GNU
 * time (bench/rq_library_bench.sh): the library's defaults unless given.
 *
 *   rq_library_file encode INPUT DIR [SYMBOL_SIZE REDUNDANCY MAX_MEMORY_MB [BLOCK_SIZE]]
 *   rq_library_file decode DIR OUTPUT
 * encode prints the result JSON. It links any library with rq-library's
 * ABI: built against another one, it runs the same calls on it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rq-library.h"

int main(int argc, char **argv)
{
    if (argc < 4 || (strcmp(argv[1], "encode") != 0 && strcmp(argv[1], "decode") != 0)) {
        fprintf(stderr, "usage: %s encode INPUT DIR [SYMBOL_SIZE REDUNDANCY MAX_MEMORY_MB [BLOCK_SIZE]]\n"
                        "       %s decode DIR OUTPUT\n", argv[0], argv[0]);
        return 2;
    }
    unsigned long symbol_size = argc > 4 ? strtoul(argv[4], NULL, 10) : 65535;
    unsigned long redundancy = argc > 5 ? strtoul(argv[5], NULL, 10) : 4;
    unsigned long long memory_mb = argc > 6 ? strtoull(argv[6], NULL, 10) : 16384;
    unsigned long long block_size = argc > 7 ? strtoull(argv[7], NULL, 10) : 0;
    uintptr_t id = raptorq_init_session((uint16_t)symbol_size, (uint8_t)redundancy, memory_mb, 4);
    if (id == 0) {
        fprintf(stderr, "raptorq_init_session refused the settings\n");
        return 2;
    }
    int32_t code;
    if (strcmp(argv[1], "encode") == 0) {
        static char result[1 << 20];
        code = raptorq_encode_file(id, argv[2], argv[3], (uintptr_t)block_size, result, sizeof result);
        if (code == 0)
            puts(result);
    } else {
        char layout[4096];
        snprintf(layout, sizeof layout, "%s/_raptorq_layout.json", argv[2]);
        code = raptorq_decode_symbols(id, argv[2], argv[3], layout);
    }
    if (code != 0) {
        char msg[1024];
        raptorq_get_last_error(id, msg, sizeof msg);
        fprintf(stderr, "%s: code %d: %s\n", argv[1], code, msg);
    }
    raptorq_free_session(id);
    return code == 0 ? 0 : 1;
}
