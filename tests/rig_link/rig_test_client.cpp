#include "tests/rig_link/rig_test_client.hpp"

#include <istream>

#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>

namespace passgate::test {

bool run_until(boost::asio::io_context& io, const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_one_for(std::chrono::milliseconds(20));
  }
  return done();
}

RigTestClient::RigTestClient(boost::asio::io_context& io, const std::filesystem::path& socket_path) : socket_(io) {
  socket_.connect(boost::asio::local::stream_protocol::endpoint(socket_path.native()));
  read_next();
}

void RigTestClient::send_raw(const std::string& bytes) { boost::asio::write(socket_, boost::asio::buffer(bytes)); }

void RigTestClient::close() {
  boost::system::error_code ignored;
  socket_.close(ignored);
}

std::vector<nlohmann::json> RigTestClient::received_of(const std::string& t) const {
  std::vector<nlohmann::json> of_type;
  for (const auto& m : received_) {
    if (m.value("t", "") == t) of_type.push_back(m);
  }
  return of_type;
}

void RigTestClient::read_next() {
  boost::asio::async_read_until(socket_, buffer_, '\n', [this](const boost::system::error_code& ec, std::size_t) {
    if (ec == boost::asio::error::operation_aborted) return;  // closed or destroyed: `this` may be gone
    if (ec) {
      eof_ = ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset;
      return;
    }
    std::istream in(&buffer_);
    std::string line;
    std::getline(in, line);
    received_.push_back(nlohmann::json::parse(line));
    read_next();
  });
}

}  // namespace passgate::test
