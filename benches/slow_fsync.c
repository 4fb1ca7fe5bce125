/*
 * A disk whose fsync is slow, for the ingest bench: preloaded, it sleeps SLOW_FSYNC_US
 * microseconds (default 1000) before every fsync and fdatasync, then does the real one.
 *
 *   cc -O2 -shared -fPIC -o target/slow_fsync.so benches/slow_fsync.c -ldl
 *   LD_PRELOAD=$PWD/target/slow_fsync.so INGEST_INVOICES=0 ./target/release/deps/ingest-* --bench
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

static void wait_as_a_slow_disk(void) {
    const char *us = getenv("SLOW_FSYNC_US");
    long wait = us ? atol(us) : 1000;
    struct timespec t = {wait / 1000000, (wait % 1000000) * 1000};
    nanosleep(&t, NULL);
}

int fsync(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    wait_as_a_slow_disk();
    return real(fd);
}

int fdatasync(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    wait_as_a_slow_disk();
    return real(fd);
}
