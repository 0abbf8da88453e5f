#include "drivers/line_connection.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/write.hpp>

namespace passgate::drivers {

LineConnection::LineConnection(Socket socket, std::size_t max_line, Events events)
    : socket_(std::move(socket)), events_(std::move(events)), framer_('\n', max_line) {}

void LineConnection::start_reading() { read_more(); }

void LineConnection::read_more() {
  socket_.async_read_some(boost::asio::buffer(read_buffer_),
                          [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
                            if (self->closed_) return;
                            if (ec) {
                              self->fail(ec == boost::asio::error::eof ? "the peer closed the connection"
                                                                       : "read failed: " + ec.message());
                              return;
                            }
                            self->framer_.feed(
                                std::string_view(self->read_buffer_.data(), n),
                                [&self](std::string line) {
                                  if (!self->closed_) self->events_.on_line(line);
                                },
                                [&self] {
                                  if (!self->closed_) self->events_.on_oversize();
                                });
                            if (!self->closed_ && self->framer_.mid_line() && self->events_.on_partial) {
                              self->events_.on_partial();
                            }
                            if (!self->closed_) self->read_more();
                          });
}

bool LineConnection::send(std::string message) {
  if (closed_ || close_when_sent_ || queue_.size() >= kMaxQueuedMessages) return false;
  queue_.push_back(std::move(message));
  if (!writing_) write_front();
  return true;
}

void LineConnection::write_front() {
  writing_ = true;
  boost::asio::async_write(socket_, boost::asio::buffer(queue_.front()),
                           [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                             self->writing_ = false;
                             if (self->closed_) return;
                             if (ec) {
                               self->fail("write failed: " + ec.message());
                               return;
                             }
                             self->queue_.pop_front();
                             if (!self->queue_.empty()) {
                               self->write_front();
                             } else if (self->close_when_sent_) {
                               self->close();
                             }
                           });
}

void LineConnection::close_after_sending() {
  close_when_sent_ = true;
  if (!writing_) close();
}

void LineConnection::close() {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ignored;
  socket_.shutdown(Socket::shutdown_both, ignored);
  socket_.close(ignored);
}

void LineConnection::fail(const std::string& why) {
  close();
  if (events_.on_closed) events_.on_closed(why);
}

}  // namespace passgate::drivers

