// What HttpClient's pool of kept-alive connections asks of a connection's TCP socket: TCP
// keep-alive turned on (a peer or firewall that silently forgot an idle connection is found
// out by the kernel's probes), and, before an idle connection is reused, whether it still is
// (checked without blocking: bytes nobody asked for, such as a proxy's unsolicited 408, an
// end of stream or an error mean it is not).
#pragma once

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

}  // namespace passgate::drivers
