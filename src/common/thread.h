/* Helper threads of the library. */
#ifndef IOF_COMMON_THREAD_H
#define IOF_COMMON_THREAD_H

#include <pthread.h>

/* pthread_create() with every signal blocked in the new thread, so SIGINT/SIGTERM/SIGPIPE/
 * SIGALRM keep reaching the program's own threads (cli/signals.c). Returns pthread_create()'s
 * result (0 on success). */
int iof__thread_spawn(pthread_t *th, void *(*fn)(void *), void *arg);

/* A helper thread that runs one job at a time: double buffering. Its owner hands a job over,
 * goes on filling the next batch, and waits for the job before it hands over another one or
 * touches what the job uses. The job reports through its argument; the wait orders
 * everything the job wrote before what the owner does next. One owner thread per worker. */
typedef struct iof__worker iof__worker;

/* Starts the thread (iof__thread_spawn). NULL when it cannot: the owner does the work itself. */
iof__worker *iof__worker_start(void);
/* Runs fn(arg) on the worker, which must be idle (just started, or waited for). */
void iof__worker_submit(iof__worker *wk, void (*fn)(void *), void *arg);
/* Returns when the job handed over last (if any) has returned. */
void iof__worker_wait(iof__worker *wk);
/* Waits for the job in flight, ends the thread and frees the worker. NULL: nothing. */
void iof__worker_stop(iof__worker *wk);

#endif
