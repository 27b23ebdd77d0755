/* Helper threads of the library. */
#ifndef IOF_COMMON_THREAD_H
#define IOF_COMMON_THREAD_H

#include <pthread.h>

/* pthread_create() with every signal blocked in the new thread, so SIGINT/SIGTERM/SIGPIPE/
 * SIGALRM keep reaching the program's own threads (cli/signals.c). Returns pthread_create()'s
 * result (0 on success). */
int iof__thread_spawn(pthread_t *th, void *(*fn)(void *), void *arg);

#endif
