/* Helper threads of the library. */
#ifndef IOF_COMMON_THREAD_H
#define IOF_COMMON_THREAD_H

#include <pthread.h>

/* pthread_create() with every signal blocked in the new thread, so SIGINT/SIGTERM/SIGPIPE/
 * SIGALRM keep reaching the program's own threads (cli/signals.c). Returns pthread_create()'s
 * result (0 on success). */
int iof__thread_spawn(pthread_t *th, void *(*fn)(void *), void *arg);

/* A helper thread that runs one job at a time, in the order they were handed over: double
 * buffering. Its owner hands a job over, goes on filling the next batch, and waits for the job
 * before it touches what the job uses. Up to IOF_WORKER_QUEUE jobs may be handed over at once
 * (queued behind the one running). The job reports through its argument; a wait orders
 * everything the jobs it waited for wrote before what the owner does next. One owner thread
 * per worker. */
typedef struct iof__worker iof__worker;
#define IOF_WORKER_QUEUE 2

/* Starts the thread (iof__thread_spawn). NULL when it cannot: the owner does the work itself. */
iof__worker *iof__worker_start(void);
/* Runs fn(arg) on the worker after the jobs handed over before it; fewer than
 * IOF_WORKER_QUEUE may be pending (iof__worker_wait_below(wk, IOF_WORKER_QUEUE - 1)). */
void iof__worker_submit(iof__worker *wk, void (*fn)(void *), void *arg);
/* Returns when at most n of the jobs handed over are pending (running or queued): every job
 * but the last n has returned. */
void iof__worker_wait_below(iof__worker *wk, unsigned n);
/* Returns when every job handed over (if any) has returned. */
void iof__worker_wait(iof__worker *wk);
/* Waits for the jobs handed over, ends the thread and frees the worker. NULL: nothing. */
void iof__worker_stop(iof__worker *wk);

#endif
