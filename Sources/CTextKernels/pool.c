#include "CTextKernels.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#if defined(__x86_64__)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause()
#else
#define CPU_RELAX() ((void)0)
#endif

// A fork-join pool for the encoder's forward pass: a few dozen forks per forward, each a few
// hundred microseconds of work, so a fork must cost microseconds. Waiting threads spin briefly
// (the next fork of the same forward comes within microseconds) and then park on a condition
// variable (an idle service burns no CPU). Park protocol: a parker announces itself in a
// `sleepers` count, then re-checks the condition under the mutex; a waker changes the
// condition, then signals if the count is non-zero. Both sides use sequentially consistent
// atomics, so either the waker sees the parker or the parker sees the change.

#define SPIN_NANOSECONDS 200000L  // 0.2 ms: longer than any serial gap inside a forward

struct CTextKernels_Pool {
    long threads;  // including the caller
    pthread_t *workers;
    pthread_mutex_t mutex;
    pthread_cond_t wake;     // workers wait here for a new generation
    pthread_cond_t finished; // the caller waits here for `pending` to reach 0
    atomic_ulong generation;
    atomic_long pending;
    atomic_long sleepingWorkers;
    atomic_long callerSleeping;
    atomic_int stopping;
    // The current fork, written by the caller before it bumps `generation`.
    CTextKernels_Task task;
    void *context;
    long width;
};

struct WorkerStart {
    struct CTextKernels_Pool *pool;
    long index;
};

static long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long)t.tv_sec * 1000000000L + t.tv_nsec;
}

// Spins until `done(pool, arg)` holds or the spin budget is spent; returns whether it holds.
static int spin_until(struct CTextKernels_Pool *pool, int (*done)(struct CTextKernels_Pool *, unsigned long),
                      unsigned long arg) {
    long deadline = 0;
    for (long i = 1;; i++) {
        if (done(pool, arg)) return 1;
        CPU_RELAX();
        if ((i & 255) == 0) {
            long now = now_ns();
            if (deadline == 0) deadline = now + SPIN_NANOSECONDS;
            else if (now > deadline) return 0;
        }
    }
}

static int has_new_generation(struct CTextKernels_Pool *pool, unsigned long seen) {
    return atomic_load(&pool->generation) != seen || atomic_load(&pool->stopping);
}

static int all_finished(struct CTextKernels_Pool *pool, unsigned long unused) {
    (void)unused;
    return atomic_load(&pool->pending) == 0;
}

static void *worker_main(void *argument) {
    struct WorkerStart start = *(struct WorkerStart *)argument;
    free(argument);
    struct CTextKernels_Pool *pool = start.pool;
    unsigned long seen = 0;
    for (;;) {
        if (!spin_until(pool, has_new_generation, seen)) {
            pthread_mutex_lock(&pool->mutex);
            atomic_fetch_add(&pool->sleepingWorkers, 1);
            while (!has_new_generation(pool, seen)) pthread_cond_wait(&pool->wake, &pool->mutex);
            atomic_fetch_sub(&pool->sleepingWorkers, 1);
            pthread_mutex_unlock(&pool->mutex);
        }
        if (atomic_load(&pool->stopping)) return NULL;
        seen = atomic_load(&pool->generation);
        if (start.index < pool->width) pool->task(pool->context, start.index);
        if (atomic_fetch_sub(&pool->pending, 1) == 1 && atomic_load(&pool->callerSleeping)) {
            pthread_mutex_lock(&pool->mutex);
            pthread_cond_signal(&pool->finished);
            pthread_mutex_unlock(&pool->mutex);
        }
    }
}

CTextKernels_Pool *CTextKernels_poolCreate(long threads) {
    struct CTextKernels_Pool *pool = calloc(1, sizeof *pool);
    if (!pool) return NULL;
    pool->threads = threads < 1 ? 1 : threads;
    pthread_mutex_init(&pool->mutex, NULL);
    pthread_cond_init(&pool->wake, NULL);
    pthread_cond_init(&pool->finished, NULL);
    pool->workers = calloc((size_t)pool->threads, sizeof(pthread_t));
    long started = 1;
    for (; pool->workers && started < pool->threads; started++) {
        struct WorkerStart *start = malloc(sizeof *start);
        if (!start) break;
        start->pool = pool;
        start->index = started;
        if (pthread_create(&pool->workers[started], NULL, worker_main, start) != 0) {
            free(start);
            break;
        }
    }
    pool->threads = started;  // fewer threads if the system refused some: still correct
    return pool;
}

long CTextKernels_poolThreads(const CTextKernels_Pool *pool) { return pool->threads; }

void CTextKernels_poolRun(CTextKernels_Pool *pool, long width, CTextKernels_Task task, void *context) {
    if (width > pool->threads) width = pool->threads;
    if (width <= 1) {
        task(context, 0);
        return;
    }
    pool->task = task;
    pool->context = context;
    pool->width = width;
    // Every worker takes part in every generation (those past `width` only check in), so one
    // counter tells the caller when the fork's memory is no longer in use.
    atomic_store(&pool->pending, pool->threads - 1);
    atomic_fetch_add(&pool->generation, 1);
    if (atomic_load(&pool->sleepingWorkers) > 0) {
        pthread_mutex_lock(&pool->mutex);
        pthread_cond_broadcast(&pool->wake);
        pthread_mutex_unlock(&pool->mutex);
    }
    task(context, 0);
    if (!spin_until(pool, all_finished, 0)) {
        pthread_mutex_lock(&pool->mutex);
        atomic_store(&pool->callerSleeping, 1);
        while (!all_finished(pool, 0)) pthread_cond_wait(&pool->finished, &pool->mutex);
        atomic_store(&pool->callerSleeping, 0);
        pthread_mutex_unlock(&pool->mutex);
    }
}

void CTextKernels_poolDestroy(CTextKernels_Pool *pool) {
    atomic_store(&pool->stopping, 1);
    pthread_mutex_lock(&pool->mutex);
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->mutex);
    for (long i = 1; i < pool->threads; i++) pthread_join(pool->workers[i], NULL);
    pthread_cond_destroy(&pool->wake);
    pthread_cond_destroy(&pool->finished);
    pthread_mutex_destroy(&pool->mutex);
    free(pool->workers);
    free(pool);
}
