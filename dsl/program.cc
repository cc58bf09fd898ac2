#include "dsl/program.h"

namespace consentflow::dsl {
namespace {

// The index of the first element whose `id` is `id`. Programs are small (tens of states), so
// a scan is as fast as a map and keeps Program a plain struct.
template <typename T>
std::optional<uint32_t> IndexOf(const std::vector<T>& items, std::string_view id) {
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (items[i].id == id) return static_cast<uint32_t>(i);
  }
  return std::nullopt;
}

}  // namespace

std::optional<StateId> Program::FindState(std::string_view id) const {
  return IndexOf(states, id);
}

std::optional<FieldId> Program::FindField(std::string_view id) const {
  return IndexOf(fields, id);
}

std::string JoinPurposes(const std::vector<std::string>& descriptions) {
  std::string out;
  for (std::size_t i = 0; i < descriptions.size(); ++i) {
    if (i > 0) out += i + 1 == descriptions.size() ? " and " : ", ";
    out += descriptions[i];
  }
  return out;
}

}  // namespace consentflow::dsl
