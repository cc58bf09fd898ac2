#include "engine/whatsapp/graph_response.h"

#include <nlohmann/json.hpp>

#include <string>

#include "engine/store/store.h"

namespace consentflow::engine::whatsapp {
namespace {

using Json = nlohmann::json;

bool IsTransientCode(int code) {
  switch (code) {
    case 1:       // API unknown
    case 2:       // API service
    case 4:       // the app's Graph API call rate
    case 80007:   // the WABA's rate limit
    case 130429:  // Cloud API throughput
    case 131000:  // something went wrong
    case 131016:  // service unavailable
    case 131056:  // pair rate limit: too many to this recipient
    case 131057:  // account in maintenance (e.g. a throughput upgrade)
    case 133004:  // server temporarily unavailable
      return true;
    default:
      return false;
  }
}

// Nothing is wrong with the message: the account cannot send until someone fixes it.
bool IsAccountCode(int code) {
  return code == 0 || code == 190 || code == 3 || code == 10 || (code >= 200 && code <= 299);
}

// error.code and error.message of a Graph error body, when it is one.
void ReadGraphError(const Json& body, SendVerdict& verdict) {
  if (!body.is_object()) return;
  auto error = body.find("error");
  if (error == body.end() || !error->is_object()) return;
  if (auto code = error->find("code"); code != error->end() && code->is_number_integer()) {
    verdict.error_code = code->get<int>();
  }
  if (auto message = error->find("message"); message != error->end() && message->is_string()) {
    verdict.error = message->get<std::string>().substr(0, 200);
  }
}

std::string AcceptedId(const Json& body) {
  if (!body.is_object()) return "";
  auto messages = body.find("messages");
  if (messages == body.end() || !messages->is_array() || messages->empty()) return "";
  const Json& first = messages->front();
  if (!first.is_object()) return "";
  auto id = first.find("id");
  return id != first.end() && id->is_string() ? id->get<std::string>() : "";
}

}  // namespace

const char* SendOutcomeName(SendOutcome outcome) {
  switch (outcome) {
    case SendOutcome::kAccepted: return "accepted";
    case SendOutcome::kRetryable: return "retryable";
    case SendOutcome::kPermanent: return "permanent";
    case SendOutcome::kWindowClosed: return "window_closed";
  }
  return "retryable";
}

SendOutcome ClassifyErrorCode(int code) {
  if (IsOutsideWindowError(code)) return SendOutcome::kWindowClosed;
  if (IsTransientCode(code) || IsAccountCode(code)) return SendOutcome::kRetryable;
  return SendOutcome::kPermanent;
}

SendVerdict Classify(const GraphReply& reply, bool read_receipt) {
  SendVerdict verdict;
  if (!reply.answered) {
    verdict.outcome = SendOutcome::kRetryable;
    verdict.error = reply.transport_error.empty() ? "no answer" : reply.transport_error;
    return verdict;
  }
  verdict.http_status = reply.http_status;
  const bool ok = reply.http_status >= 200 && reply.http_status < 300;
  // An accepted read receipt's body ({"success":true}) says nothing more: it is not parsed.
  if (ok && read_receipt) {
    verdict.outcome = SendOutcome::kAccepted;
    return verdict;
  }
  const Json body = Json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
  if (ok) {
    verdict.whatsapp_id = AcceptedId(body);
    if (!verdict.whatsapp_id.empty()) {
      verdict.outcome = SendOutcome::kAccepted;
      return verdict;
    }
    verdict.outcome = SendOutcome::kPermanent;
    verdict.error = "accepted without a message id";
    return verdict;
  }
  ReadGraphError(body, verdict);
  if (verdict.error.empty()) verdict.error = "HTTP " + std::to_string(reply.http_status);
  if (verdict.error_code != 0) {
    verdict.outcome = ClassifyErrorCode(verdict.error_code);
    // A 429 or 5xx is worth another try whatever code came with it.
    if (verdict.outcome == SendOutcome::kPermanent &&
        (reply.http_status == 429 || reply.http_status >= 500)) {
      verdict.outcome = SendOutcome::kRetryable;
    }
    return verdict;
  }
  verdict.error_code = reply.http_status;
  verdict.outcome = reply.http_status == 429 || reply.http_status >= 500 ||
                            reply.http_status == 401 || reply.http_status == 408
                        ? SendOutcome::kRetryable
                        : SendOutcome::kPermanent;
  return verdict;
}

}  // namespace consentflow::engine::whatsapp
