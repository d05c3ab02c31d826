#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "CSystemShims.h"
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <pthread.h>
#include <string.h>

const uint32_t CSystemShims_EPOLLIN = EPOLLIN;
const uint32_t CSystemShims_EPOLLOUT = EPOLLOUT;
const uint32_t CSystemShims_EPOLLERR = EPOLLERR;
const uint32_t CSystemShims_EPOLLHUP = EPOLLHUP;
const uint32_t CSystemShims_EPOLLRDHUP = EPOLLRDHUP;
const uint32_t CSystemShims_EPOLLET = EPOLLET;
const int CSystemShims_EPOLL_CTL_ADD = EPOLL_CTL_ADD;
const int CSystemShims_EPOLL_CTL_MOD = EPOLL_CTL_MOD;
const int CSystemShims_EPOLL_CTL_DEL = EPOLL_CTL_DEL;

int CSystemShims_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int CSystemShims_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event ev = { .events = events, .data = { .u64 = data } };
    return epoll_ctl(epfd, op, fd, &ev);
}

int CSystemShims_epoll_wait(int epfd, struct CSystemShims_epoll_event *events, int maxevents, int timeout) {
    struct epoll_event raw[256];
    if (maxevents > 256) maxevents = 256;
    int n = epoll_wait(epfd, raw, maxevents, timeout);
    for (int i = 0; i < n; i++) {
        events[i].events = raw[i].events;
        events[i].data = raw[i].data.u64;
    }
    return n;
}

int CSystemShims_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

int CSystemShims_accept4(int fd, struct sockaddr *addr, socklen_t *len) {
    return accept4(fd, addr, len, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

int CSystemShims_timerfd_create(void) { return timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC); }

int CSystemShims_timerfd_settime(int fd, uint64_t nanoseconds) {
    struct itimerspec spec = {0};
    spec.it_value.tv_sec = (time_t)(nanoseconds / 1000000000ull);
    spec.it_value.tv_nsec = (long)(nanoseconds % 1000000000ull);
    return timerfd_settime(fd, 0, &spec, NULL);
}

int CSystemShims_set_thread_name(const char *name) {
    char short_name[16];
    strncpy(short_name, name, 15);
    short_name[15] = 0;
    return pthread_setname_np(pthread_self(), short_name);
}
