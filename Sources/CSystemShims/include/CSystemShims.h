#ifndef CSYSTEMSHIMS_H
#define CSYSTEMSHIMS_H
// Linux calls that Swift's Glibc module does not expose (TOOLING.md): epoll, eventfd,
// accept4, timerfd. Each is a thin wrapper compiled with _GNU_SOURCE in shims.c.
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>

struct CSystemShims_epoll_event {
    uint32_t events;
    uint64_t data;
};

extern const uint32_t CSystemShims_EPOLLIN;
extern const uint32_t CSystemShims_EPOLLOUT;
extern const uint32_t CSystemShims_EPOLLERR;
extern const uint32_t CSystemShims_EPOLLHUP;
extern const uint32_t CSystemShims_EPOLLRDHUP;
extern const uint32_t CSystemShims_EPOLLET;
extern const int CSystemShims_EPOLL_CTL_ADD;
extern const int CSystemShims_EPOLL_CTL_MOD;
extern const int CSystemShims_EPOLL_CTL_DEL;

int CSystemShims_epoll_create(void);
int CSystemShims_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data);
int CSystemShims_epoll_wait(int epfd, struct CSystemShims_epoll_event *events, int maxevents, int timeout);

/// eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)
int CSystemShims_eventfd(void);
/// accept4(fd, addr, len, SOCK_NONBLOCK | SOCK_CLOEXEC)
int CSystemShims_accept4(int fd, struct sockaddr *addr, socklen_t *len);
/// timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)
int CSystemShims_timerfd_create(void);
/// Arms a one-shot timerfd after `nanoseconds` (0 disarms).
int CSystemShims_timerfd_settime(int fd, uint64_t nanoseconds);

/// Names the calling thread (first 15 bytes), for `top -H` and debuggers.
int CSystemShims_set_thread_name(const char *name);

#endif
