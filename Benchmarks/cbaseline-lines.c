// cbaseline-lines DATA.jsonl: the C line baseline (cbaseline_decrypt_line) over a whole JSON Lines
// file, so that library-vs-c.sh can time it and count its instructions the way it does the C
// bound's, on the same records. The file comes in through one reused 1 MiB buffer, as the bound
// reads it, so that both pay the same for their input; as in the benchmark, the result lines go
// to memory, into a buffer that starts over when full. Blank lines are skipped. Prints
// "ok=N failed=M", as the C bound does.
// Build: gcc -O2 -std=c11 -ISources/CBaseline/include cbaseline-lines.c Sources/CBaseline/CBaseline.c -lcrypto
#define _GNU_SOURCE
#include "CBaseline.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct tally {
    cbaseline_decrypter *decrypter;
    unsigned long line_number, ok, failed;
    size_t used;
    char results[1 << 16];
};

static void decrypt(struct tally *tally, const char *line, size_t length) {
    tally->line_number++;
    size_t blanks = 0;
    while (blanks < length && (line[blanks] == ' ' || line[blanks] == '\t' || line[blanks] == '\r')) blanks++;
    if (blanks == length) return;
    if (tally->used > sizeof tally->results - CBASELINE_RESULT_LINE_CAPACITY) tally->used = 0;
    char *result = tally->results + tally->used;
    size_t written = cbaseline_decrypt_line(tally->decrypter, (const unsigned char *)line, length, tally->line_number, result);
    // The result names the id, then `"ok":true` or `"ok":false`: the byte after the id's comma tells.
    const char *comma = memchr(result, ',', written);
    if (comma && comma[6] == 't') tally->ok++; else tally->failed++;
    tally->used += written;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s DATA.jsonl\n", argv[0]);
        return 2;
    }
    int file = open(argv[1], O_RDONLY);
    if (file < 0) {
        perror(argv[1]);
        return 2;
    }
    static struct tally tally;
    size_t capacity = 1 << 20, kept = 0; // kept: a line's start, moved to the front to be completed
    char *buffer = malloc(capacity);
    tally.decrypter = cbaseline_decrypter_new();
    if (!buffer || !tally.decrypter) {
        fprintf(stderr, "%s: out of memory, or libcrypto has no AES-128-CBC\n", argv[0]);
        return 2;
    }
    for (;;) {
        ssize_t got = read(file, buffer + kept, capacity - kept);
        if (got < 0) {
            perror(argv[1]);
            return 2;
        }
        char *line = buffer, *end = buffer + kept + got, *newline;
        for (; (newline = memchr(line, '\n', (size_t)(end - line))) != NULL; line = newline + 1)
            decrypt(&tally, line, (size_t)(newline - line));
        kept = (size_t)(end - line);
        if (got == 0) {
            if (kept) decrypt(&tally, line, kept);
            break;
        }
        memmove(buffer, line, kept);
        if (kept == capacity) {
            char *larger = realloc(buffer, capacity * 2);
            if (!larger) {
                fprintf(stderr, "%s: a line longer than memory\n", argv[0]);
                return 2;
            }
            buffer = larger;
            capacity *= 2;
        }
    }
    close(file);
    cbaseline_decrypter_free(tally.decrypter);
    free(buffer);
    printf("ok=%lu failed=%lu\n", tally.ok, tally.failed);
    return 0;
}
