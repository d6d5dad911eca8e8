/*
 * RTP stream generator for bench/rtp-echo.ts (issue #19): N streams of G.711 (20 ms, 160-byte
 * payload, 50 packets/s each), one UDP socket per stream, each sent to its own destination (an echo
 * port, or a relay that sends it back); counts what comes back on the same socket. Compiled at bench
 * time with the system C compiler so the generator costs little next to what it measures.
 *
 *   rtpload --seconds 20 --source 127.0.0.1 --dest 127.0.0.2:30000 [--dest IP:PORT[/SOURCE-IP] …]
 *           [--dest-all IP:PORT --streams N]
 *
 * Prints one JSON line: streams, sent, received, lossPercent, worstStreamLossPercent.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_STREAMS 4096
#define PAYLOAD 160

static int parse_addr(const char *s, struct sockaddr_in *out) {
  char host[64];
  const char *colon = strrchr(s, ':');
  if (!colon || colon - s >= (long)sizeof host) return -1;
  memcpy(host, s, colon - s);
  host[colon - s] = 0;
  memset(out, 0, sizeof *out);
  out->sin_family = AF_INET;
  out->sin_port = htons(atoi(colon + 1));
  return inet_pton(AF_INET, host, &out->sin_addr) == 1 ? 0 : -1;
}

static void usage(void) {
  fprintf(stderr, "usage: rtpload --seconds S --source IP (--dest IP:PORT)... | (--dest-all IP:PORT --streams N)\n");
  exit(2);
}

int main(int argc, char **argv) {
  static struct sockaddr_in dst[MAX_STREAMS];
  static int fds[MAX_STREAMS];
  static uint64_t sent[MAX_STREAMS], got[MAX_STREAMS];
  static struct in_addr srcs[MAX_STREAMS];
  int n = 0, streams = 0, all = 0;
  double seconds = 10;
  struct sockaddr_in src = {.sin_family = AF_INET};
  inet_pton(AF_INET, "127.0.0.1", &src.sin_addr);
  for (int i = 1; i < argc; i++) {
    if (i + 1 >= argc) usage();
    if (!strcmp(argv[i], "--seconds")) seconds = atof(argv[++i]);
    else if (!strcmp(argv[i], "--streams")) streams = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--source")) { if (inet_pton(AF_INET, argv[++i], &src.sin_addr) != 1) usage(); }
    else if (!strcmp(argv[i], "--dest")) {
      /* IP:PORT, or IP:PORT/SOURCE-IP to send this stream from its own address */
      char *d = argv[++i], *slash = strchr(d, '/');
      if (n >= MAX_STREAMS) usage();
      srcs[n] = src.sin_addr;
      if (slash) { *slash = 0; if (inet_pton(AF_INET, slash + 1, &srcs[n]) != 1) usage(); }
      if (parse_addr(d, &dst[n++])) usage();
    }
    else if (!strcmp(argv[i], "--dest-all")) { if (parse_addr(argv[++i], &dst[0])) usage(); all = 1; }
    else usage();
  }
  if (all) {
    if (streams < 1 || streams > MAX_STREAMS) usage();
    for (int s = 1; s < streams; s++) dst[s] = dst[0];
    n = streams;
  }
  if (n < 1) usage();
  for (int s = 0; s < n; s++) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in from = src;
    if (!all) from.sin_addr = srcs[s];
    if (fd < 0 || bind(fd, (struct sockaddr *)&from, sizeof from) < 0) { perror("socket/bind"); return 1; }
    fds[s] = fd;
  }
  unsigned char pkt[12 + PAYLOAD], in[2048];
  memset(pkt, 0xff, sizeof pkt); /* PCMU silence */
  pkt[0] = 0x80;
  pkt[1] = 0; /* PT 0 */
  struct timespec next;
  clock_gettime(CLOCK_MONOTONIC, &next);
  const long ticks = (long)(seconds * 50);
  for (long t = 0; t <= ticks + 25; t++) { /* 0.5 s more for the last echoes */
    if (t < ticks) {
      for (int s = 0; s < n; s++) {
        uint16_t seq = (uint16_t)t;
        uint32_t ts = (uint32_t)t * 160, ssrc = 0x5000 + s;
        pkt[2] = seq >> 8; pkt[3] = seq & 0xff;
        pkt[4] = ts >> 24; pkt[5] = ts >> 16; pkt[6] = ts >> 8; pkt[7] = ts;
        pkt[8] = ssrc >> 24; pkt[9] = ssrc >> 16; pkt[10] = ssrc >> 8; pkt[11] = ssrc;
        if (sendto(fds[s], pkt, sizeof pkt, 0, (struct sockaddr *)&dst[s], sizeof dst[s]) == (ssize_t)sizeof pkt) sent[s]++;
      }
    }
    next.tv_nsec += 20000000;
    if (next.tv_nsec >= 1000000000) { next.tv_nsec -= 1000000000; next.tv_sec++; }
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
    for (int s = 0; s < n; s++)
      while (recv(fds[s], in, sizeof in, MSG_DONTWAIT) > 0) got[s]++;
  }
  uint64_t tsent = 0, tgot = 0;
  double worst = 0;
  for (int s = 0; s < n; s++) {
    tsent += sent[s];
    tgot += got[s] > sent[s] ? sent[s] : got[s];
    double loss = sent[s] ? 100.0 * (double)(sent[s] - (got[s] > sent[s] ? sent[s] : got[s])) / (double)sent[s] : 100;
    if (loss > worst) worst = loss;
  }
  printf("{\"streams\":%d,\"seconds\":%.1f,\"sent\":%llu,\"received\":%llu,\"lossPercent\":%.3f,\"worstStreamLossPercent\":%.3f}\n",
         n, seconds, (unsigned long long)tsent, (unsigned long long)tgot,
         tsent ? 100.0 * (double)(tsent - tgot) / (double)tsent : 100.0, worst);
  return 0;
}
