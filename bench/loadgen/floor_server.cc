// consentflow_floor: the network floor of the load generator's test, as a server.
//
// What any server passing consentflow_loadgen's test must do for each inbound message, and
// nothing else: read the webhook over a keep-alive connection, answer it 200, and send two
// requests to the Graph API (the read receipt and a reply to the sender), reading both answers,
// over a pool of kept-alive connections. No signature check, no JSON parse (the sender and the
// message id are found by searching the bytes), no store, no flow, one thread, no locks.
//
// Its CPU per message is the least that the kernel and Asio cost on a machine for this traffic:
// the speed targets of bench/loadgen are judged against it (docs/engine.md).
//
//   build/bench/consentflow_loadgen --customers 64 --conversations 6000
//                                   --binary build/bench/consentflow_floor
//
// It takes the arguments `consentflow serve --config FILE` takes, reads the Graph API's base URL
// from FILE, and writes the serving line the load generator waits for.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <toml++/toml.h>

#include <cstdlib>
#include <deque>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bench/loadgen/raw_http.h"

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using consentflow::bench::ReadMessage;
using consentflow::bench::ValueAfter;

constexpr std::size_t kMaxGraphConnections = 64;  // as `consentflow serve` uses

// The Graph API's side: requests queue for one of at most 64 kept-alive connections.
class GraphPool {
 public:
  GraphPool(asio::io_context& io, tcp::endpoint endpoint) : io_(io), endpoint_(endpoint) {}

  void Post(std::string_view body) {
    std::string request = "POST /v21.0/1/messages HTTP/1.1\r\nHost: graph\r\nAuthorization: Bearer loadgen\r\n"
                          "Content-Type: application/json\r\nContent-Length: ";
    request += std::to_string(body.size());
    request += "\r\n\r\n";
    request += body;
    for (auto& connection : connections_) {
      if (!connection->busy) return Send(*connection, std::move(request));
    }
    if (connections_.size() < kMaxGraphConnections) {
      auto connection = std::make_unique<Connection>(io_);
      connection->socket.connect(endpoint_);
      connection->socket.set_option(tcp::no_delay(true));
      connections_.push_back(std::move(connection));
      return Send(*connections_.back(), std::move(request));
    }
    queue_.push_back(std::move(request));
  }

 private:
  struct Connection {
    explicit Connection(asio::io_context& io) : socket(io) {}
    tcp::socket socket;
    std::string out, in;
    bool busy = false;
  };

  void Send(Connection& c, std::string request) {
    c.busy = true;
    c.out = std::move(request);
    asio::async_write(c.socket, asio::buffer(c.out), [this, &c](error_code ec, std::size_t) {
      if (ec) return Fail(ec);
      ReadMessage(c.socket, c.in, [this, &c](error_code read_ec, std::string, std::size_t) {
        if (read_ec) return Fail(read_ec);
        c.busy = false;
        if (queue_.empty()) return;
        std::string next = std::move(queue_.front());
        queue_.pop_front();
        Send(c, std::move(next));
      });
    });
  }

  [[noreturn]] static void Fail(error_code ec) {
    std::cerr << "consentflow_floor: the Graph API connection failed: " << ec.message() << "\n";
    std::exit(1);
  }

  asio::io_context& io_;
  tcp::endpoint endpoint_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::deque<std::string> queue_;
};

// One webhook connection: read a request, send its two Graph requests, answer 200, repeat.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, GraphPool& graph) : socket_(std::move(socket)), graph_(graph) {}

  void Read() {
    ReadMessage(socket_, in_, [self = shared_from_this()](error_code ec, std::string message, std::size_t head) {
      if (!ec) self->Handle(std::string_view(message).substr(head));
    });
  }

 private:
  void Handle(std::string_view body) {
    const std::size_t messages = body.find("\"messages\":[");
    const std::string_view id = ValueAfter(body, "\"id\":\"", messages == std::string_view::npos ? 0 : messages);
    const std::string_view from = ValueAfter(body, "\"from\":\"");
    if (!id.empty()) {
      graph_.Post(std::string(R"({"messaging_product":"whatsapp","status":"read","message_id":")") +
                  std::string(id) + "\"}");
    }
    if (!from.empty()) {
      graph_.Post(std::string(R"({"messaging_product":"whatsapp","recipient_type":"individual","to":")") +
                  std::string(from) + R"(","type":"text","text":{"body":"Thank you."}})");
    }
    asio::async_write(socket_, asio::buffer(kOk), [self = shared_from_this()](error_code ec, std::size_t) {
      if (!ec) self->Read();
    });
  }

  static constexpr std::string_view kOk = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  tcp::socket socket_;
  GraphPool& graph_;
  std::string in_;
};

void Accept(tcp::acceptor& acceptor, GraphPool& graph) {
  acceptor.async_accept([&acceptor, &graph](error_code ec, tcp::socket socket) {
    if (!ec) {
      socket.set_option(tcp::no_delay(true));
      std::make_shared<Session>(std::move(socket), graph)->Read();
    }
    Accept(acceptor, graph);
  });
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4 || std::string_view(argv[1]) != "serve" || std::string_view(argv[2]) != "--config") {
    std::cerr << "usage: consentflow_floor serve --config FILE (as consentflow_loadgen starts it)\n";
    return 2;
  }
  toml::table config;
  try {
    config = toml::parse_file(argv[3]);
  } catch (const toml::parse_error& error) {
    std::cerr << "consentflow_floor: " << argv[3] << ": " << error.description() << "\n";
    return 2;
  }
  // http://HOST:PORT, as the load generator's stand-in writes it.
  const std::string base = config["whatsapp"]["graph_base_url"].value_or(std::string());
  const std::size_t colon = base.rfind(':');
  if (!base.starts_with("http://") || colon < 7) {
    std::cerr << "consentflow_floor: " << argv[3] << ": whatsapp.graph_base_url must be http://HOST:PORT\n";
    return 2;
  }
  asio::io_context io(1);
  const tcp::endpoint graph_endpoint(asio::ip::make_address(base.substr(7, colon - 7)),
                                     static_cast<unsigned short>(std::stoi(base.substr(colon + 1))));
  GraphPool graph(io, graph_endpoint);
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  Accept(acceptor, graph);
  std::cerr << "consentflow: serving on 127.0.0.1:" << acceptor.local_endpoint().port()
            << "/webhook (the network floor: no store, no flow)" << std::endl;
  io.run();
}
