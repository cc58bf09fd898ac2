#include "engine/server/webhook_endpoint.h"

#include <chrono>

#include "engine/base/log.h"
#include "engine/whatsapp/webhook_signature.h"

namespace consentflow::engine::server {

void WebhookEndpoint::Get(const HttpRequest& request, const Responder& respond) {
  const auto mode = QueryParameter(request.query, "hub.mode");
  const auto token = QueryParameter(request.query, "hub.verify_token");
  const auto challenge = QueryParameter(request.query, "hub.challenge");
  if (mode == "subscribe" && token && challenge &&
      whatsapp::ConstantTimeEquals(*token, verify_token_)) {
    metrics_.WebhookRequest("verified");
    Log(LogLevel::kInfo, "webhook_verified");
    return respond(HttpResponse::Text(200, *challenge));
  }
  metrics_.WebhookRequest("verify_refused");
  Log(LogLevel::kWarning, "webhook_verify_refused",
      {{"reason", mode != "subscribe" ? "mode" : !challenge ? "no challenge" : "token"}});
  respond(HttpResponse::Text(403, "verification refused\n"));
}

void WebhookEndpoint::Post(HttpRequest request, Responder respond) {
  const auto arrived = std::chrono::steady_clock::now();
  if (!whatsapp::VerifySignature(app_secret_, request.body, request.Header("x-hub-signature-256"))) {
    metrics_.WebhookRequest("bad_signature");
    Log(LogLevel::kWarning, "webhook_bad_signature",
        {{"has_header", !request.Header("x-hub-signature-256").empty()},
         {"bytes", request.body.size()}});
    return respond(HttpResponse::Text(401, "bad or missing X-Hub-Signature-256\n"));
  }
  Result<whatsapp::WebhookBatch> batch = whatsapp::ParseWebhook(request.body);
  if (!batch) {
    metrics_.WebhookRequest("malformed");
    Log(LogLevel::kWarning, "webhook_malformed", {{"reason", batch.error().message()}});
    return respond(HttpResponse::Text(400, batch.error().message() + "\n"));
  }
  for (const whatsapp::PlatformError& error : batch->errors) {
    Log(LogLevel::kError, "whatsapp_platform_error", {{"code", error.code}, {"title", error.title}});
  }
  writer_.Submit(std::move(*batch), [this, respond = std::move(respond), arrived](Status status) {
    if (!status.ok()) {
      metrics_.WebhookRequest("unavailable");
      Log(LogLevel::kError, "webhook_not_stored", {{"reason", status.message()}});
      return respond(HttpResponse::Text(503, "cannot store the update now; retry\n"));
    }
    metrics_.WebhookRequest("ok");
    metrics_.WebhookAck(std::chrono::duration<double>(std::chrono::steady_clock::now() - arrived).count());
    respond(HttpResponse::Text(200, "ok\n"));
  });
}

}  // namespace consentflow::engine::server
