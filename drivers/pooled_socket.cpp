#include "drivers/pooled_socket.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <openssl/bio.h>
#include <openssl/ssl.h>

#include <cerrno>

namespace passgate::drivers {

namespace {

bool set_int(int fd, int level, int name, int value) {
  return ::setsockopt(fd, level, name, &value, sizeof value) == 0;
}

}  // namespace

bool enable_keepalive(int fd) {
  bool all = set_int(fd, SOL_SOCKET, SO_KEEPALIVE, 1);
  all = set_int(fd, IPPROTO_TCP, TCP_KEEPIDLE, static_cast<int>(kKeepAliveIdle.count())) && all;
  all = set_int(fd, IPPROTO_TCP, TCP_KEEPINTVL, static_cast<int>(kKeepAliveInterval.count())) && all;
  all = set_int(fd, IPPROTO_TCP, TCP_KEEPCNT, kKeepAliveProbes) && all;
  return all;
}

bool idle_socket_usable(int fd) {
  char byte = 0;
  for (;;) {
    const auto n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0) return false;   // unread bytes: they answer no request of ours
    if (n == 0) return false;  // the peer ended the stream
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK;  // nothing yet: alive; anything else is an error
  }
}

bool tls_nothing_unread(const SSL* ssl) {
  BIO* received = SSL_get_rbio(ssl);
  return SSL_pending(ssl) == 0 && SSL_has_pending(ssl) == 0 && (received == nullptr || BIO_ctrl_pending(received) == 0);
}

}  // namespace passgate::drivers
