#include "store/database.hpp"

namespace custos::store {

void Connection::before_commit(std::string key, std::function<void(Connection&)> work) {
  if (deferred_ == nullptr) {
    work(*this);
    return;
  }
  deferred_->add(std::move(key), std::move(work));
}

void Connection::DeferredWork::add(std::string key, std::function<void(Connection&)> work) {
  // The work reads the final state when it runs, so once per key is enough.
  if (keys.insert(key).second) items.emplace_back(std::move(key), std::move(work));
}

}  // namespace custos::store
