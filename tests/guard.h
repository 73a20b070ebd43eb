/*
 * Places test input so that its last byte sits right before an unreadable
 * page: any read past the end faults at once instead of passing silently.
 */
#ifndef WSCONFORM_GUARD_H
#define WSCONFORM_GUARD_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

typedef struct guarded {
    uint8_t *data; /* len bytes, followed by a PROT_NONE page */
    void *map;
    size_t map_len;
} guarded;

static inline guarded guard_copy(const void *src, size_t len)
{
    guarded g;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t body = (len + page - 1) / page * page;
    g.map_len = body + page;
    /* A private map of /dev/zero is anonymous memory in plain POSIX. */
    int fd = open("/dev/zero", O_RDWR);
    if (fd < 0)
        abort();
    g.map = mmap(NULL, g.map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    close(fd);
    if (g.map == MAP_FAILED)
        abort();
    if (mprotect((uint8_t *)g.map + body, page, PROT_NONE) != 0)
        abort();
    g.data = (uint8_t *)g.map + body - len;
    if (len)
        memcpy(g.data, src, len);
    return g;
}

static inline void guard_free(guarded *g)
{
    munmap(g->map, g->map_len);
    g->map = NULL;
    g->data = NULL;
}

#endif
