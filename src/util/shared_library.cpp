#include "util/shared_library.hpp"

#include <dlfcn.h>

#include <stdexcept>

namespace custos::util {

namespace {
std::string loader_error() {
  const char* reason = dlerror();
  return reason != nullptr ? reason : "unknown reason";
}
}  // namespace

SharedLibrary::SharedLibrary(const char* soname, const char* package)
    : soname_(soname), handle_(dlopen(soname, RTLD_NOW | RTLD_LOCAL)) {
  if (handle_ == nullptr) {
    throw std::runtime_error("cannot load " + soname_ + " (Debian package " + package +
                             "): " + loader_error());
  }
}

void* SharedLibrary::symbol(const char* name) const {
  void* address = dlsym(handle_, name);
  if (address == nullptr) {
    throw std::runtime_error(soname_ + " lacks " + name + ": " + loader_error());
  }
  return address;
}

}  // namespace custos::util
