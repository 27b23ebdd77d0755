#include "common/thread.h"

#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>

int iof__thread_spawn(pthread_t *th, void *(*fn)(void *), void *arg)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old); /* the new thread inherits this mask */
    int rc = pthread_create(th, NULL, fn, arg);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

struct iof__worker {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct {
        void (*fn)(void *);
        void *arg;
    } q[IOF_WORKER_QUEUE]; /* pending jobs from q[head] on: the first is running */
    unsigned head, n;
    bool quit;
};

static void *worker_main(void *p)
{
    iof__worker *wk = p;
    pthread_mutex_lock(&wk->mu);
    for (;;) {
        while (!wk->n && !wk->quit)
            pthread_cond_wait(&wk->cv, &wk->mu);
        if (!wk->n)
            break; /* quit, and nothing left to run */
        void (*fn)(void *) = wk->q[wk->head].fn;
        void *arg = wk->q[wk->head].arg;
        pthread_mutex_unlock(&wk->mu);
        fn(arg);
        pthread_mutex_lock(&wk->mu);
        wk->head = (wk->head + 1) % IOF_WORKER_QUEUE;
        wk->n--;
        pthread_cond_broadcast(&wk->cv);
    }
    pthread_mutex_unlock(&wk->mu);
    return NULL;
}

iof__worker *iof__worker_start(void)
{
    iof__worker *wk = calloc(1, sizeof(*wk));
    if (!wk)
        return NULL;
    pthread_mutex_init(&wk->mu, NULL);
    pthread_cond_init(&wk->cv, NULL);
    if (iof__thread_spawn(&wk->th, worker_main, wk) != 0) {
        pthread_cond_destroy(&wk->cv);
        pthread_mutex_destroy(&wk->mu);
        free(wk);
        return NULL;
    }
    return wk;
}

void iof__worker_submit(iof__worker *wk, void (*fn)(void *), void *arg)
{
    pthread_mutex_lock(&wk->mu);
    while (wk->n == IOF_WORKER_QUEUE) /* the caller's mistake: wait rather than lose a job */
        pthread_cond_wait(&wk->cv, &wk->mu);
    unsigned k = (wk->head + wk->n) % IOF_WORKER_QUEUE;
    wk->q[k].fn = fn;
    wk->q[k].arg = arg;
    wk->n++;
    pthread_cond_broadcast(&wk->cv);
    pthread_mutex_unlock(&wk->mu);
}

void iof__worker_wait_below(iof__worker *wk, unsigned n)
{
    pthread_mutex_lock(&wk->mu);
    while (wk->n > n)
        pthread_cond_wait(&wk->cv, &wk->mu);
    pthread_mutex_unlock(&wk->mu);
}

void iof__worker_wait(iof__worker *wk) { iof__worker_wait_below(wk, 0); }

void iof__worker_stop(iof__worker *wk)
{
    if (!wk)
        return;
    pthread_mutex_lock(&wk->mu);
    wk->quit = true; /* a job in flight ends first */
    pthread_cond_broadcast(&wk->cv);
    pthread_mutex_unlock(&wk->mu);
    pthread_join(wk->th, NULL);
    pthread_cond_destroy(&wk->cv);
    pthread_mutex_destroy(&wk->mu);
    free(wk);
}
