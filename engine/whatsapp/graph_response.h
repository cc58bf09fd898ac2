#pragma once
// What a send call's answer means (../shared/whatsapp/README.md §9, §10): accepted with a wamid,
// or failed, and whether trying again can help.
//
// Classification, keyed on the Graph error code first (Meta does not tabulate HTTP statuses per
// code), then on the HTTP status:
//   kRetryable     no HTTP answer at all (resolve, connect, TLS, timeout, dropped connection);
//                  HTTP 429 and 5xx; throughput and pair rate limits (4, 80007, 130429, 131056);
//                  Meta's transient errors (1, 2, 131000, 131016, 131057, 133004); and the
//                  account-level ones (0, 190 expired token, 3, 10, 200-299 permissions), which
//                  an operator fixes while the replies wait, instead of failing every one of them.
//   kWindowClosed  131047 (and the older 470): the contact's 24-hour window is closed.
//   kPermanent     any other 4xx: this request will never be accepted (a bad parameter, an
//                  undeliverable recipient); recorded with its code, not retried.
// Without a Graph code the HTTP status decides: 408, 429, 5xx and 401 (a token problem) are
// kRetryable, any other status kPermanent; a 5xx stays kRetryable whatever code it carries.
// A 2xx without a message id (a send call) is kPermanent: the API took the request, so sending it
// again could deliver it twice.
#include <string>
#include <string_view>

namespace consentflow::engine::whatsapp {

// One exchange with the API as the client saw it.
struct GraphReply {
  bool answered = false;        // false: no HTTP response (see `transport_error`)
  std::string transport_error;  // what failed, e.g. "connect: Connection refused", "read: timeout"
  int http_status = 0;
  std::string body;
};

enum class SendOutcome { kAccepted, kRetryable, kPermanent, kWindowClosed };
const char* SendOutcomeName(SendOutcome outcome);  // "accepted", "retryable", ...

struct SendVerdict {
  SendOutcome outcome = SendOutcome::kRetryable;
  std::string whatsapp_id;  // kAccepted send: messages[0].id ("" for a read receipt)
  int http_status = 0;      // 0 when there was no answer
  int error_code = 0;       // error.code from the body; else the HTTP status for an error; else 0
  std::string error;        // error.message, or the transport error; no personal data
};

// `read_receipt`: the request marked a message read, whose success is {"success":true} and
// carries no message id.
SendVerdict Classify(const GraphReply& reply, bool read_receipt = false);

// The class of a Graph error code seen on its own (also for a failed delivery status, whose
// code arrives through the webhook): kRetryable, kWindowClosed or kPermanent.
SendOutcome ClassifyErrorCode(int code);

}  // namespace consentflow::engine::whatsapp
