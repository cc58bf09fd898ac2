// The client's TLS checks, against a one-connection HTTPS server with a certificate made here:
// an untrusted certificate, and a trusted one for another name, are both refused.

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <thread>

#include "engine/whatsapp/graph_client.h"

namespace consentflow::engine::whatsapp {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

struct Pem {
  std::string certificate;
  std::string key;
};

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

// A self-signed certificate for DNS name `host`, usable as its own CA.
Pem SelfSigned(const char* host) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(host), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  const std::string san = std::string("DNS:") + host;
  for (auto [nid, value] : {std::pair<int, const char*>{NID_subject_alt_name, san.c_str()},
                            {NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    EXPECT_NE(ext, nullptr);
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  EXPECT_GT(X509_sign(cert.get(), key.get(), EVP_sha256()), 0);
  std::unique_ptr<BIO, decltype(&BIO_free)> cert_bio(BIO_new(BIO_s_mem()), BIO_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> key_bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_X509(cert_bio.get(), cert.get());
  PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  return Pem{BioText(cert_bio.get()), BioText(key_bio.get())};
}

// Serves one HTTPS connection on 127.0.0.1: handshake, one request, a send's success answer.
class OneShotHttpsServer {
 public:
  explicit OneShotHttpsServer(const Pem& pem)
      : tls_(ssl::context::tls_server),
        acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    tls_.use_certificate_chain(asio::buffer(pem.certificate));
    tls_.use_private_key(asio::buffer(pem.key), ssl::context::pem);
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;
      stream_ = std::make_unique<ssl::stream<tcp::socket>>(std::move(socket), tls_);
      stream_->async_handshake(ssl::stream_base::server, [this](beast::error_code hs) {
        if (hs) return;
        http::async_read(*stream_, buffer_, request_, [this](beast::error_code rd, std::size_t) {
          if (rd) return;
          response_.result(http::status::ok);
          response_.body() = R"({"messages":[{"id":"wamid.tls"}]})";
          response_.prepare_payload();
          http::async_write(*stream_, response_, [](beast::error_code, std::size_t) {});
        });
      });
    });
    thread_ = std::thread([this] { io_.run_for(std::chrono::seconds(30)); });
  }
  ~OneShotHttpsServer() {
    io_.stop();
    thread_.join();
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  asio::io_context io_;
  ssl::context tls_;
  tcp::acceptor acceptor_;
  std::unique_ptr<ssl::stream<tcp::socket>> stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  std::thread thread_;
};

class GraphClientTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_file_ = std::filesystem::path(::testing::TempDir()) /
               ("graph_client_tls_" + std::to_string(::getpid()) + ".pem");
    std::ofstream(ca_file_) << pem_.certificate;
  }
  void TearDown() override { std::filesystem::remove(ca_file_); }

  GraphReply Send(const std::string& base_url, const std::string& ca_file) {
    asio::io_context io;
    GraphClientOptions options;
    options.base_url = base_url;
    options.phone_number_id = "106540352242922";
    options.access_token = "EAAG-TEST";
    options.ca_file = ca_file;
    options.connect_timeout = std::chrono::seconds(10);
    options.request_timeout = std::chrono::seconds(10);
    Result<std::unique_ptr<GraphClient>> client = GraphClient::Create(io, options);
    EXPECT_TRUE(client) << client.error().ToString();
    if (!client) return GraphReply{};
    GraphReply reply;
    (*client)->Post("{}", [&](GraphReply r) {
      reply = std::move(r);
      (*client)->Shutdown();
    });
    io.run_for(std::chrono::seconds(20));
    return reply;
  }

  Pem pem_ = SelfSigned("localhost");
  std::filesystem::path ca_file_;
};

TEST_F(GraphClientTlsTest, ATrustedCertificateForTheHostIsAccepted) {
  OneShotHttpsServer server(pem_);
  GraphReply reply =
      Send("https://localhost:" + std::to_string(server.port()), ca_file_.string());
  ASSERT_TRUE(reply.answered) << reply.transport_error;
  EXPECT_EQ(reply.http_status, 200);
  EXPECT_EQ(Classify(reply).whatsapp_id, "wamid.tls");
}

TEST_F(GraphClientTlsTest, ACertificateNoTrustedCaSignedIsRefused) {
  OneShotHttpsServer server(pem_);
  GraphReply reply = Send("https://localhost:" + std::to_string(server.port()), "");
  EXPECT_FALSE(reply.answered);
  EXPECT_TRUE(reply.transport_error.starts_with("tls handshake: ")) << reply.transport_error;
  EXPECT_NE(reply.transport_error.find("certificate verify failed"), std::string::npos)
      << reply.transport_error;
}

TEST_F(GraphClientTlsTest, ATrustedCertificateForAnotherNameIsRefused) {
  OneShotHttpsServer server(pem_);
  // The same server, reached by its address: the certificate names "localhost" only.
  GraphReply reply =
      Send("https://127.0.0.1:" + std::to_string(server.port()), ca_file_.string());
  EXPECT_FALSE(reply.answered);
  EXPECT_TRUE(reply.transport_error.starts_with("tls handshake: ")) << reply.transport_error;
  EXPECT_NE(reply.transport_error.find("certificate verify failed"), std::string::npos)
      << reply.transport_error;
}

}  // namespace
}  // namespace consentflow::engine::whatsapp
