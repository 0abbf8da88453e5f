// CannedMember: a fake etcd member on loopback (plain HTTP, which EtcdClient allows to
// loopback only) that answers each request with the next body of its script, for the
// client's tests of answers no real member sends: oversized, malformed, from another
// cluster, behind the cluster. Counts the requests it got. Runs on the test's io_context.
#pragma once

#include <deque>
#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace passgate::test {

class CannedMember {
 public:
  using tcp = boost::asio::ip::tcp;

  explicit CannedMember(boost::asio::io_context& io) : acceptor_(io, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    accept();
  }
  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()); }
  void will_answer(std::string body, int status = 200) { script_.push_back({status, std::move(body)}); }
  [[nodiscard]] int requests() const { return requests_; }

 private:
  struct Canned {
    int status;
    std::string body;
  };
  struct Connection : std::enable_shared_from_this<Connection> {
    Connection(tcp::socket s, CannedMember& m) : socket(std::move(s)), member(m) {}
    tcp::socket socket;
    CannedMember& member;
    boost::beast::flat_buffer buffer;
    boost::beast::http::request<boost::beast::http::string_body> request;
    boost::beast::http::response<boost::beast::http::string_body> response;

    void read() {
      request = {};
      boost::beast::http::async_read(socket, buffer, request, [self = shared_from_this()](auto ec, std::size_t) {
        if (ec) return;
        ++self->member.requests_;
        Canned next{500, R"({"message":"unscripted"})"};
        if (!self->member.script_.empty()) {
          next = std::move(self->member.script_.front());
          self->member.script_.pop_front();
        }
        self->response = {static_cast<boost::beast::http::status>(next.status), 11};
        self->response.set(boost::beast::http::field::content_type, "application/json");
        self->response.body() = std::move(next.body);
        self->response.prepare_payload();
        boost::beast::http::async_write(self->socket, self->response, [self](auto wec, std::size_t) {
          if (!wec) self->read();
        });
      });
    }
  };

  void accept() {
    acceptor_.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
      if (ec) return;
      std::make_shared<Connection>(std::move(socket), *this)->read();
      accept();
    });
  }

  tcp::acceptor acceptor_;
  std::deque<Canned> script_;
  int requests_ = 0;
};

}  // namespace passgate::test
