// cbaseline-lines DATA.jsonl: the C line baseline (cbaseline_decrypt_line) over a whole JSON Lines
// file, so that library-vs-c.sh can time it and count its instructions the way it does the C
// bound's, on the same records. As in the benchmark, the file is read once and the result lines
// go to memory, into a buffer that starts over when full: the file I/O is left out of the
// per-record work. Blank lines are skipped. Prints "ok=N failed=M", as the C bound does.
// Build: gcc -O2 -std=c11 -ISources/CBaseline/include cbaseline-lines.c Sources/CBaseline/CBaseline.c -lcrypto
#define _GNU_SOURCE
#include "CBaseline.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s DATA.jsonl\n", argv[0]);
        return 2;
    }
    int file = open(argv[1], O_RDONLY);
    struct stat status;
    if (file < 0 || fstat(file, &status) != 0) {
        perror(argv[1]);
        return 2;
    }
    size_t size = (size_t)status.st_size, filled = 0;
    char *data = malloc(size + 1);
    while (data && filled < size) {
        ssize_t got = read(file, data + filled, size - filled);
        if (got <= 0) break;
        filled += (size_t)got;
    }
    close(file);
    cbaseline_decrypter *decrypter = cbaseline_decrypter_new();
    if (!data || filled != size || !decrypter) {
        fprintf(stderr, "%s: cannot read the file or make the decrypter\n", argv[0]);
        return 2;
    }
    data[size] = '\0'; // stops strspn at the end of a last line without a newline

    static char results[1 << 16];
    size_t used = 0;
    unsigned long line_number = 0, ok = 0, failed = 0;
    for (char *line = data, *end = data + size; line < end;) {
        char *newline = memchr(line, '\n', (size_t)(end - line));
        if (!newline) newline = end;
        line_number++;
        if (strspn(line, " \t\r") < (size_t)(newline - line)) {
            if (used > sizeof results - CBASELINE_RESULT_LINE_CAPACITY) used = 0;
            size_t length = cbaseline_decrypt_line(decrypter, (const unsigned char *)line, (size_t)(newline - line),
                                                   line_number, results + used);
            // The result names the id, then `"ok":true` or `"ok":false`: the byte after the id's comma tells.
            const char *comma = memchr(results + used, ',', length);
            if (comma && comma[6] == 't') ok++; else failed++;
            used += length;
        }
        line = newline + 1;
    }
    cbaseline_decrypter_free(decrypter);
    free(data);
    printf("ok=%lu failed=%lu\n", ok, failed);
    return 0;
}
