// cbaseline-lines DATA.jsonl RESULTS: the C line baseline (cbaseline_decrypt_line) over a whole
// JSON Lines file, so that library-vs-c.sh can time it and count its instructions the way it does
// the C bound's, on the same records. It pays for its input and output what the bound pays: the
// file comes in through one reused 1 MiB buffer, and the result lines go out to RESULTS through a
// 64 KiB stdio buffer, the file (mode 0600: it holds phone numbers) truncated when opened. Blank
// lines are skipped. Prints
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
    FILE *out;
    unsigned long line_number, ok, failed;
};

static void decrypt(struct tally *tally, const char *line, size_t length) {
    tally->line_number++;
    size_t blanks = 0;
    while (blanks < length && (line[blanks] == ' ' || line[blanks] == '\t' || line[blanks] == '\r')) blanks++;
    if (blanks == length) return;
    char result[CBASELINE_RESULT_LINE_CAPACITY];
    size_t written = cbaseline_decrypt_line(tally->decrypter, (const unsigned char *)line, length, tally->line_number, result);
    // The result names the id, then `"ok":true` or `"ok":false`: the byte after the id's comma tells.
    const char *comma = memchr(result, ',', written);
    if (comma && comma[6] == 't') tally->ok++; else tally->failed++;
    fwrite(result, 1, written, tally->out);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s DATA.jsonl RESULTS\n", argv[0]);
        return 2;
    }
    int file = open(argv[1], O_RDONLY);
    if (file < 0) {
        perror(argv[1]);
        return 2;
    }
    static struct tally tally;
    int results = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0600);
    tally.out = results < 0 ? NULL : fdopen(results, "w");
    if (!tally.out) {
        perror(argv[2]);
        return 2;
    }
    setvbuf(tally.out, NULL, _IOFBF, 1 << 16);
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
    int unwritten = ferror(tally.out);
    if (fclose(tally.out) != 0 || unwritten) {
        perror(argv[2]);
        return 2;
    }
    cbaseline_decrypter_free(tally.decrypter);
    free(buffer);
    printf("ok=%lu failed=%lu\n", tally.ok, tally.failed);
    return 0;
}
