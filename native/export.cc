// exportFn (bind.h): the one place native C++ exceptions are turned into JS errors.
#include <new>
#include <stdexcept>
#include <string>

#include "bind.h"

namespace flint {

void exportFn(Napi::Env env, Napi::Object exports, const char* name,
              Napi::Value (*fn)(const Napi::CallbackInfo&)) {
  auto guarded = [fn, name](const Napi::CallbackInfo& info) -> Napi::Value {
    try {
      return fn(info);
    } catch (const Napi::Error&) {
      throw;
    } catch (const std::bad_alloc&) {
      throw Napi::RangeError::New(info.Env(), std::string(name) +
                                                  ": out of memory (a native work buffer could not be allocated)");
    } catch (const std::exception& e) {
      throw Napi::Error::New(info.Env(), std::string(name) + ": " + e.what());
    }
  };
  exports.Set(name, Napi::Function::New(env, guarded, name));
}

}  // namespace flint
