/*
 * The sending half of native/udp_batch.c (issue #19): an outbox block JavaScript filled goes out
 * with sendmmsg(2), one call per run of records that leave from the same socket.
 */
#include "udp_batch.h"

/*
 * send(bytes: ArrayBuffer, records: ArrayBuffer, slotBytes, count, sockets: external[]) -> sent.
 * Record i's socket id indexes `sockets`; runs of one socket go out in one sendmmsg. A full send
 * buffer (EAGAIN) drops the rest of the run, like a lost datagram.
 */
napi_value js_send(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  void *bytes, *records;
  size_t bytes_len, records_len;
  int32_t slot_bytes, count;
  if (napi_get_arraybuffer_info(env, argv[0], &bytes, &bytes_len) != napi_ok ||
      napi_get_arraybuffer_info(env, argv[1], &records, &records_len) != napi_ok) {
    napi_throw_type_error(env, NULL, "bytes and records must be ArrayBuffers");
    return NULL;
  }
  napi_get_value_int32(env, argv[2], &slot_bytes);
  napi_get_value_int32(env, argv[3], &count);
  uint32_t nsocks = 0;
  napi_get_array_length(env, argv[4], &nsocks);
  if (count < 0 || count > MAX_SLOTS || slot_bytes < 1 || (size_t)count * (size_t)slot_bytes > bytes_len ||
      (size_t)count * RECORD_BYTES > records_len) {
    napi_throw_range_error(env, NULL, "send block out of range");
    return NULL;
  }
  struct mmsghdr msgs[MAX_SLOTS];
  struct iovec iov[MAX_SLOTS];
  struct sockaddr_in6 to[MAX_SLOTS];
  int fds[MAX_SLOTS];
  int n = 0, sent = 0;
  for (int i = 0; i < count; i++) {
    const uint8_t *r = (const uint8_t *)records + (size_t)i * RECORD_BYTES;
    const int32_t *w = (const int32_t *)r;
    if (w[0] < 0 || w[0] > slot_bytes || w[3] < 0 || (uint32_t)w[3] >= nsocks) continue;
    napi_value h;
    sock_t *s;
    napi_get_element(env, argv[4], (uint32_t)w[3], &h);
    if (!get_sock(env, h, &s)) return NULL;
    if (!s->polling) continue;
    memset(&to[n], 0, sizeof to[n]);
    socklen_t tolen;
    if (w[1] == 6) {
      to[n].sin6_family = AF_INET6;
      to[n].sin6_port = htons((uint16_t)w[2]);
      to[n].sin6_scope_id = (uint32_t)w[4];
      memcpy(&to[n].sin6_addr, r + 32, 16);
      tolen = sizeof to[n];
    } else {
      struct sockaddr_in *t4 = (struct sockaddr_in *)&to[n];
      t4->sin_family = AF_INET;
      t4->sin_port = htons((uint16_t)w[2]);
      memcpy(&t4->sin_addr, r + 32, 4);
      tolen = sizeof *t4;
    }
    iov[n].iov_base = (uint8_t *)bytes + (size_t)i * (size_t)slot_bytes;
    iov[n].iov_len = (size_t)w[0];
    memset(&msgs[n], 0, sizeof msgs[n]);
    msgs[n].msg_hdr.msg_name = &to[n];
    msgs[n].msg_hdr.msg_namelen = tolen;
    msgs[n].msg_hdr.msg_iov = &iov[n];
    msgs[n].msg_hdr.msg_iovlen = 1;
    fds[n] = s->fd;
    n++;
  }
  for (int start = 0; start < n;) {
    int end = start + 1;
    while (end < n && fds[end] == fds[start]) end++;
    int at = start;
    while (at < end) {
      int r = sendmmsg(fds[start], msgs + at, (unsigned)(end - at), MSG_DONTWAIT);
      if (r > 0) {
        sent += r;
        at += r;
      } else if (r < 0 && errno == EINTR) {
        continue;
      } else {
        at++; /* this datagram failed (EAGAIN, unreachable…): skip it, try the rest */
      }
    }
    start = end;
  }
  napi_value out;
  napi_create_int32(env, sent, &out);
  return out;
}

