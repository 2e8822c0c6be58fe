#pragma once
#include <sys/socket.h>

#include <cerrno>

namespace pushbench {

// What a readiness on a socket the server is not reading means. Asked without blocking: a
// readiness can come with nothing to read, and a blocking read would hold the io thread (and the
// connection's strand) until the client sends something.
enum class PeerState { gone, quiet, sent_bytes };

inline PeerState peer_state(int fd) {
  char byte;
  const ssize_t n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n > 0) return PeerState::sent_bytes;
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return PeerState::quiet;
  return PeerState::gone;  // closed (0) or reset
}

}  // namespace pushbench
