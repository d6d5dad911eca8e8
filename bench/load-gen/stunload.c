/*
 * STUN Binding load generator for bench/stun-load.ts (issue #19). Compiled at bench time with the
 * system C compiler (cc -O2), so it is never the bottleneck: sendmmsg/recvmmsg batches, one thread.
 *
 * Many sources: one UDP socket per source address (127.1.x.y, or given with --source-base), each
 * connected to the server. Every request is a bare 20-byte RFC 8489 Binding request whose
 * transaction ID carries its send time (CLOCK_MONOTONIC ns) and sequence number, so the answer
 * gives the round-trip time without any per-request state here.
 *
 *   stunload --server 127.0.0.2:3478 [--sources 512] [--rate 10000 | --rate 0 (as fast as possible)]
 *            [--seconds 5] [--batch 32] [--window 20000]
 *
 * --rate 0 (saturation): keeps at most --window requests outstanding (unanswered) and sends as fast
 * as answers make room, so the server, not a full socket buffer, sets the pace. A request that is not
 * answered within 200 ms leaves the window (counted lost).
 * Prints one JSON line: sent, answered, seconds, answersPerSec, rtt percentiles in microseconds.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_BATCH 64
#define HIST_BUCKETS 200000 /* 1 us buckets up to 200 ms */

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void usage(void) {
  fprintf(stderr, "usage: stunload --server IP:PORT [--sources N] [--rate R] [--seconds S] [--batch B] "
                  "[--window W] [--source-base A.B]\n");
  exit(2);
}

static uint32_t hist[HIST_BUCKETS + 1];

static double percentile(uint64_t total, double p) {
  if (total == 0) return -1;
  uint64_t want = (uint64_t)(p * (double)total);
  if (want >= total) want = total - 1;
  uint64_t seen = 0;
  for (int i = 0; i <= HIST_BUCKETS; i++) {
    seen += hist[i];
    if (seen > want) return i;
  }
  return HIST_BUCKETS;
}

int main(int argc, char **argv) {
  const char *server = NULL;
  int sources = 512, batch = 32, a = 1, b = 1;
  double rate = 10000, seconds = 5;
  long window = 20000;
  for (int i = 1; i < argc; i++) {
    if (i + 1 >= argc) usage();
    if (!strcmp(argv[i], "--server")) server = argv[++i];
    else if (!strcmp(argv[i], "--sources")) sources = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--rate")) rate = atof(argv[++i]);
    else if (!strcmp(argv[i], "--seconds")) seconds = atof(argv[++i]);
    else if (!strcmp(argv[i], "--batch")) batch = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--window")) window = atol(argv[++i]);
    else if (!strcmp(argv[i], "--source-base")) {
      if (sscanf(argv[++i], "%d.%d", &a, &b) != 2) usage();
    } else usage();
  }
  if (!server || sources < 1 || sources > 60000 || batch < 1 || batch > MAX_BATCH) usage();
  char host[64];
  int port;
  const char *colon = strrchr(server, ':');
  if (!colon || colon - server >= (long)sizeof host) usage();
  memcpy(host, server, colon - server);
  host[colon - server] = 0;
  port = atoi(colon + 1);
  struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons(port)};
  if (inet_pton(AF_INET, host, &dst.sin_addr) != 1) usage();

  int ep = epoll_create1(0);
  int *fds = calloc(sources, sizeof(int));
  for (int s = 0; s < sources; s++) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    if (fd < 0) { perror("socket"); return 1; }
    int buf = 1 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    struct sockaddr_in src = {.sin_family = AF_INET, .sin_port = 0};
    src.sin_addr.s_addr = htonl((127u << 24) | ((unsigned)a << 16) | ((unsigned)(b + s / 250) << 8) | (unsigned)(s % 250 + 1));
    if (bind(fd, (struct sockaddr *)&src, sizeof src) < 0) { perror("bind"); return 1; }
    if (connect(fd, (struct sockaddr *)&dst, sizeof dst) < 0) { perror("connect"); return 1; }
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)s};
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    fds[s] = fd;
  }

  unsigned char out[MAX_BATCH][20];
  struct iovec oiov[MAX_BATCH];
  struct mmsghdr omsg[MAX_BATCH];
  unsigned char in[MAX_BATCH][256];
  struct iovec iiov[MAX_BATCH];
  struct mmsghdr imsg[MAX_BATCH];
  for (int i = 0; i < MAX_BATCH; i++) {
    memset(out[i], 0, 20);
    out[i][1] = 0x01; /* Binding request, length 0 */
    out[i][4] = 0x21; out[i][5] = 0x12; out[i][6] = 0xa4; out[i][7] = 0x42;
    oiov[i].iov_base = out[i];
    oiov[i].iov_len = 20;
    memset(&omsg[i], 0, sizeof omsg[i]);
    omsg[i].msg_hdr.msg_iov = &oiov[i];
    omsg[i].msg_hdr.msg_iovlen = 1;
    iiov[i].iov_base = in[i];
    iiov[i].iov_len = sizeof in[i];
    memset(&imsg[i], 0, sizeof imsg[i]);
    imsg[i].msg_hdr.msg_iov = &iiov[i];
    imsg[i].msg_hdr.msg_iovlen = 1;
  }

  uint64_t sent = 0, answered = 0, late = 0, send_errors = 0, seq = 0;
  const uint64_t start = now_ns();
  const uint64_t end = start + (uint64_t)(seconds * 1e9);
  const uint64_t drain_end = end + 300000000ull; /* 300 ms for the last answers */
  uint64_t last_answer_ns = start;
  int next = 0;
  struct epoll_event evs[256];
  for (;;) {
    uint64_t t = now_ns();
    if (t >= drain_end) break;
    if (t < end) {
      long room;
      if (rate > 0) room = (long)((double)(t - start) / 1e9 * rate) - (long)sent;
      else {
        room = window - (long)(sent - answered - late);
        /* a request unanswered for 200 ms (dropped by the server or its socket) frees its place */
        if (room <= 0 && t - last_answer_ns > 200000000ull) { late += sent - answered - late; last_answer_ns = t; room = window; }
      }
      while (room > 0) {
        int n = room < batch ? (int)room : batch;
        for (int i = 0; i < n; i++) {
          uint64_t ts = now_ns();
          memcpy(out[i] + 8, &ts, 8);
          uint32_t sq = (uint32_t)seq++;
          memcpy(out[i] + 16, &sq, 4);
        }
        int fd = fds[next];
        next = (next + 1) % sources;
        int r = sendmmsg(fd, omsg, n, 0);
        if (r < 0) { send_errors++; if (errno == EAGAIN || errno == ENOBUFS) break; continue; }
        sent += r;
        room -= r;
        if (r < n) break;
      }
    }
    int ne = epoll_wait(ep, evs, 256, rate > 0 ? 0 : 1);
    for (int e = 0; e < ne; e++) {
      int fd = fds[evs[e].data.u32];
      for (;;) {
        int r = recvmmsg(fd, imsg, MAX_BATCH, MSG_DONTWAIT, NULL);
        if (r <= 0) break;
        uint64_t t2 = now_ns();
        for (int i = 0; i < r; i++) {
          if (imsg[i].msg_len < 20 || in[i][0] != 0x01 || in[i][1] != 0x01) continue;
          uint64_t ts;
          memcpy(&ts, in[i] + 8, 8);
          uint64_t us = (t2 - ts) / 1000;
          hist[us > HIST_BUCKETS ? HIST_BUCKETS : us]++;
          answered++;
        }
        last_answer_ns = t2;
        if (r < MAX_BATCH) break;
      }
    }
  }
  double secs = (double)(end - start) / 1e9;
  printf("{\"sent\":%llu,\"answered\":%llu,\"seconds\":%.3f,\"sendRate\":%.0f,\"answersPerSec\":%.0f,"
         "\"sendErrors\":%llu,\"rttUs\":{\"p50\":%.0f,\"p90\":%.0f,\"p99\":%.0f,\"p999\":%.0f,\"max\":%.0f}}\n",
         (unsigned long long)sent, (unsigned long long)answered, secs, sent / secs, answered / secs,
         (unsigned long long)send_errors, percentile(answered, 0.5), percentile(answered, 0.9),
         percentile(answered, 0.99), percentile(answered, 0.999), percentile(answered, 1.0));
  return 0;
}
