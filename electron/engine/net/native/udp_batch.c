/*
 * Batched UDP for `natscope server` (issue #19): recvmmsg(2)/sendmmsg(2) on Node's own event loop.
 *
 * Why: Node's dgram hands JavaScript one datagram per call — one recvmsg, a 64 KiB allocation, an
 * address string and an object per datagram — and one sendmsg per answer. At saturation that was
 * most of the companion's user-space time. Here a readable socket is drained with recvmmsg into
 * one preallocated block (bytes + fixed-size records), JavaScript is called once per block, and
 * its answers leave with sendmmsg. No thread: the socket is watched by a uv_poll on the loop the
 * JavaScript runs on (the main thread or a worker of `--workers N`), so a batch costs no hand-off.
 *
 * Memory is owned by JavaScript: start() gets two ArrayBuffers (datagram bytes, records) and keeps
 * references to them; send() reads a block JavaScript filled. A record is RECORD_BYTES:
 *   int32 length, int32 family (4|6), int32 port, int32 socket id, uint32 IPv6 scope id,
 *   int32 flags (1 = truncated: the datagram was longer than a slot), 8 bytes unused,
 *   16 bytes address (IPv4 in the first 4, network order).
 * Linux only (recvmmsg/sendmmsg); the TypeScript side falls back to dgram where this is absent.
 */
#include "udp_batch.h"

#include <stdio.h>

static void finalize_sock(napi_env env, void *data, void *hint);

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char msg[160];
  snprintf(msg, sizeof msg, "%s %s", what, strerror(err));
  const char *code = err == EADDRINUSE      ? "EADDRINUSE"
                     : err == EADDRNOTAVAIL ? "EADDRNOTAVAIL"
                     : err == EACCES        ? "EACCES"
                                            : "EIO";
  napi_throw_error(env, code, msg);
  return NULL;
}

int get_sock(napi_env env, napi_value v, sock_t **out) {
  void *p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok || !p) {
    napi_throw_type_error(env, NULL, "not a batch socket");
    return 0;
  }
  *out = p;
  return 1;
}

/* open(family, address, port, reusePort, receiveBufferBytes) -> [handle, port, grantedBytes] */
static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t family = 4, port = 0, rcvbuf = 0;
  bool reuse = false;
  char address[64];
  size_t alen = 0;
  napi_get_value_int32(env, argv[0], &family);
  if (napi_get_value_string_utf8(env, argv[1], address, sizeof address, &alen) != napi_ok) {
    napi_throw_type_error(env, NULL, "address must be a string");
    return NULL;
  }
  napi_get_value_int32(env, argv[2], &port);
  napi_get_value_bool(env, argv[3], &reuse);
  napi_get_value_int32(env, argv[4], &rcvbuf);

  struct sockaddr_storage ss;
  socklen_t sslen;
  memset(&ss, 0, sizeof ss);
  if (family == 6) {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons((uint16_t)port);
    if (inet_pton(AF_INET6, address, &a->sin6_addr) != 1) return throw_errno(env, "bind", EADDRNOTAVAIL);
    sslen = sizeof *a;
  } else {
    struct sockaddr_in *a = (struct sockaddr_in *)&ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, address, &a->sin_addr) != 1) return throw_errno(env, "bind", EADDRNOTAVAIL);
    sslen = sizeof *a;
  }
  int fd = socket(family == 6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "socket", errno);
  int one = 1;
  if (family == 6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (reuse) setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  if (rcvbuf > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  if (bind(fd, (struct sockaddr *)&ss, sslen) < 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, "bind", err);
  }
  struct sockaddr_storage bound;
  socklen_t blen = sizeof bound;
  getsockname(fd, (struct sockaddr *)&bound, &blen);
  int bound_port = ntohs(family == 6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                     : ((struct sockaddr_in *)&bound)->sin_port);
  int granted = 0;
  socklen_t glen = sizeof granted;
  getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &granted, &glen);

  sock_t *s = calloc(1, sizeof *s);
  if (!s) {
    close(fd);
    return throw_errno(env, "open", ENOMEM);
  }
  s->env = env;
  s->fd = fd;
  s->poll.data = s;
  napi_value handle, result, v;
  napi_create_external(env, s, finalize_sock, NULL, &handle);
  napi_create_array_with_length(env, 3, &result);
  napi_set_element(env, result, 0, handle);
  napi_create_int32(env, bound_port, &v);
  napi_set_element(env, result, 1, v);
  /* as getsockopt says (Linux doubles the request for bookkeeping), like dgram's getRecvBufferSize */
  napi_create_int32(env, granted, &v);
  napi_set_element(env, result, 2, v);
  return result;
}

static void fill_record(sock_t *s, int i) {
  uint8_t *r = s->records + (size_t)i * RECORD_BYTES;
  int32_t *w = (int32_t *)r;
  struct sockaddr_in6 *from = &s->from[i];
  w[0] = (int32_t)s->msgs[i].msg_len;
  w[5] = (s->msgs[i].msg_hdr.msg_flags & MSG_TRUNC) ? 1 : 0;
  if (from->sin6_family == AF_INET6) {
    w[1] = 6;
    w[2] = ntohs(from->sin6_port);
    w[4] = (int32_t)from->sin6_scope_id;
    memcpy(r + 32, &from->sin6_addr, 16);
  } else {
    struct sockaddr_in *f4 = (struct sockaddr_in *)from;
    w[1] = 4;
    w[2] = ntohs(f4->sin_port);
    w[4] = 0;
    memcpy(r + 32, &f4->sin_addr, 4);
  }
}

static void on_readable(uv_poll_t *h, int status, int events) {
  sock_t *s = h->data;
  (void)events;
  if (status < 0 || !s->polling) return;
  napi_env env = s->env;
  for (int round = 0; round < MAX_ROUNDS && s->polling; round++) {
    for (int i = 0; i < s->slots; i++) {
      s->msgs[i].msg_hdr.msg_namelen = sizeof s->from[i];
      s->msgs[i].msg_hdr.msg_flags = 0;
    }
    int n = recvmmsg(s->fd, s->msgs, (unsigned)s->slots, MSG_DONTWAIT, NULL);
    if (n <= 0) return; /* EAGAIN: drained; anything else (ICMP errors are off): wait for the next event */
    for (int i = 0; i < n; i++) fill_record(s, i);
    napi_handle_scope scope;
    napi_open_handle_scope(env, &scope);
    napi_value cb, recv, count;
    napi_get_reference_value(env, s->callback, &cb);
    napi_get_global(env, &recv); /* make_callback wants an object as `this` */
    napi_create_int32(env, n, &count);
    /* make_callback: runs queued microtasks and nextTicks afterwards, as a dgram 'message' would */
    napi_status st = napi_make_callback(env, s->async, recv, cb, 1, &count, NULL);
    if (st == napi_pending_exception) {
      napi_value err;
      napi_get_and_clear_last_exception(env, &err);
      napi_fatal_exception(env, err);
    }
    napi_close_handle_scope(env, scope);
    if (n < s->slots) return;
  }
}

static void on_closed(uv_handle_t *h) {
  sock_t *s = h->data;
  s->handle_active = 0;
  if (s->fd >= 0) close(s->fd);
  s->fd = -1;
  if (s->cleanup) {
    napi_async_cleanup_hook_handle c = s->cleanup;
    s->cleanup = NULL;
    napi_remove_async_cleanup_hook(c);
  }
  if (s->js_gone) free(s);
}

/* Stops watching, drops the references and closes the socket once libuv has let go of the poll. */
static void stop_and_close(sock_t *s, int env_alive) {
  if (s->polling) {
    s->polling = 0;
    uv_poll_stop(&s->poll);
  }
  if (env_alive) {
    if (s->callback) napi_delete_reference(s->env, s->callback);
    if (s->bytes_ref) napi_delete_reference(s->env, s->bytes_ref);
    if (s->records_ref) napi_delete_reference(s->env, s->records_ref);
    if (s->async) napi_async_destroy(s->env, s->async);
  }
  s->callback = s->bytes_ref = s->records_ref = NULL;
  s->async = NULL;
  if (s->handle_active) {
    if (!uv_is_closing((uv_handle_t *)&s->poll)) uv_close((uv_handle_t *)&s->poll, on_closed);
  } else if (s->fd >= 0) {
    close(s->fd);
    s->fd = -1;
  }
}

/* The JavaScript handle is gone: close what is still open; free now or when libuv lets go. */
static void finalize_sock(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  sock_t *s = data;
  s->js_gone = 1;
  if (s->handle_active) stop_and_close(s, 0);
  else {
    if (s->fd >= 0) close(s->fd);
    free(s);
  }
}

/* A worker thread ending (or the process) with the socket still open: close it so its loop can end. */
static void on_env_cleanup(napi_async_cleanup_hook_handle handle, void *arg) {
  (void)handle;
  sock_t *s = arg;
  stop_and_close(s, 0);
}

/* start(handle, bytes: ArrayBuffer, records: ArrayBuffer, slots, slotBytes, onBatch(count)) */
static napi_value js_start(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  sock_t *s;
  if (!get_sock(env, argv[0], &s)) return NULL;
  if (s->polling || s->callback) {
    napi_throw_error(env, NULL, "batch socket already started");
    return NULL;
  }
  void *bytes, *records;
  size_t bytes_len, records_len;
  int32_t slots, slot_bytes;
  if (napi_get_arraybuffer_info(env, argv[1], &bytes, &bytes_len) != napi_ok ||
      napi_get_arraybuffer_info(env, argv[2], &records, &records_len) != napi_ok) {
    napi_throw_type_error(env, NULL, "bytes and records must be ArrayBuffers");
    return NULL;
  }
  napi_get_value_int32(env, argv[3], &slots);
  napi_get_value_int32(env, argv[4], &slot_bytes);
  if (slots < 1 || slots > MAX_SLOTS || slot_bytes < 1 || (size_t)slots * (size_t)slot_bytes > bytes_len ||
      (size_t)slots * RECORD_BYTES > records_len) {
    napi_throw_range_error(env, NULL, "batch buffers too small for slots x slotBytes");
    return NULL;
  }
  s->bytes = bytes;
  s->records = records;
  s->slots = slots;
  s->slot_bytes = (size_t)slot_bytes;
  for (int i = 0; i < slots; i++) {
    s->iov[i].iov_base = s->bytes + (size_t)i * s->slot_bytes;
    s->iov[i].iov_len = s->slot_bytes;
    memset(&s->msgs[i], 0, sizeof s->msgs[i]);
    s->msgs[i].msg_hdr.msg_iov = &s->iov[i];
    s->msgs[i].msg_hdr.msg_iovlen = 1;
    s->msgs[i].msg_hdr.msg_name = &s->from[i];
  }
  napi_create_reference(env, argv[1], 1, &s->bytes_ref);
  napi_create_reference(env, argv[2], 1, &s->records_ref);
  napi_create_reference(env, argv[5], 1, &s->callback);
  napi_value name;
  napi_create_string_utf8(env, "NatScopeUdpBatch", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &s->async);
  uv_loop_t *loop;
  napi_get_uv_event_loop(env, &loop);
  int r = uv_poll_init(loop, &s->poll, s->fd);
  if (r == 0) {
    s->handle_active = 1;
    s->poll.data = s;
    r = uv_poll_start(&s->poll, UV_READABLE, on_readable);
  }
  if (r != 0) {
    napi_throw_error(env, NULL, uv_strerror(r));
    return NULL;
  }
  s->polling = 1;
  napi_add_async_cleanup_hook(env, on_env_cleanup, s, &s->cleanup);
  return NULL;
}

/* close(handle): idempotent; the descriptor is closed when libuv has released the poll. */
static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  sock_t *s;
  if (!get_sock(env, argv[0], &s)) return NULL;
  if (s->fd < 0 || (s->handle_active && uv_is_closing((uv_handle_t *)&s->poll))) return NULL;
  stop_and_close(s, 1); /* the cleanup hook is removed when libuv has closed the poll */
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL},
      {"start", NULL, js_start, NULL, NULL, NULL, napi_default, NULL},
      {"send", NULL, js_send, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  napi_value v;
  napi_create_int32(env, RECORD_BYTES, &v);
  napi_set_named_property(env, exports, "RECORD_BYTES", v);
  napi_create_int32(env, MAX_SLOTS, &v);
  napi_set_named_property(env, exports, "MAX_SLOTS", v);
  return exports;
}
