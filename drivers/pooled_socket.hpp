// What HttpClient's pool of kept-alive connections asks of a connection: TCP keep-alive
// turned on (a peer or firewall that silently forgot an idle connection is found out by the
// kernel's probes); for TLS, before a finished connection is pooled, whether OpenSSL still
// holds bytes received after the response (they belong to no request of ours); and, before an
// idle connection is reused, whether its socket still can be (checked without blocking: bytes
// nobody asked for, such as a proxy's unsolicited 408, an end of stream or an error mean it
// cannot).
#pragma once

#include <openssl/types.h>

#include <chrono>

namespace passgate::drivers {

// The keep-alive probes: the first after this much silence, then one every interval, and
// the connection given up after this many unanswered (about 25 s in all: within the pool's
// 30 s idle limit).
inline constexpr std::chrono::seconds kKeepAliveIdle{10};
inline constexpr std::chrono::seconds kKeepAliveInterval{5};
inline constexpr int kKeepAliveProbes = 3;

// Turns on SO_KEEPALIVE with the timings above on the connected socket `fd`. Best effort:
// false if the system refused one of the options (the connection works without them).
bool enable_keepalive(int fd);

// Whether the idle socket `fd` can carry a new request: nothing is waiting to be read, the
// peer has not ended the stream and the socket has no error. Never blocks.
[[nodiscard]] bool idle_socket_usable(int fd);

// Whether the TLS connection `ssl` holds nothing received and not yet read by the
// application: no decrypted bytes (SSL_pending), no record buffered whole or in part
// (SSL_has_pending) and nothing waiting in its read BIO (a record that came in the same
// socket read as the last one; Asio's stream hands OpenSSL everything it reads). None of this
// is visible to idle_socket_usable: a connection must pass this check when it is pooled.
[[nodiscard]] bool tls_nothing_unread(const SSL* ssl);

}  // namespace passgate::drivers
