/* Shared by udp_batch.c (sockets, receiving) and udp_batch_send.c (sendmmsg): see udp_batch.c. */
#ifndef NATSCOPE_UDP_BATCH_H
#define NATSCOPE_UDP_BATCH_H
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#define RECORD_BYTES 48
#define MAX_SLOTS 256
/* datagrams read per readiness event at most (then the loop runs timers and other sockets) */
#define MAX_ROUNDS 4

typedef struct sock {
  napi_env env;
  int fd;
  uv_poll_t poll;
  int polling;
  int handle_active; /* the uv_poll is initialised and not yet closed */
  int js_gone;       /* the JavaScript handle was collected: free on close */
  napi_ref callback;
  napi_ref bytes_ref, records_ref;
  napi_async_context async;
  napi_async_cleanup_hook_handle cleanup;
  uint8_t *bytes;
  uint8_t *records;
  size_t slot_bytes;
  int slots;
  struct mmsghdr msgs[MAX_SLOTS];
  struct iovec iov[MAX_SLOTS];
  struct sockaddr_in6 from[MAX_SLOTS];
} sock_t;

/* The socket behind a JavaScript handle; throws and returns 0 when it is not one. */
int get_sock(napi_env env, napi_value v, sock_t **out);
napi_value js_send(napi_env env, napi_callback_info info);

#endif
