// exportFn (bind.h): the one place native C++ exceptions are turned into JS errors.
// A worker thread terminated in the middle of an addon call cannot take a JS exception (napi_throw
// fails). node-addon-api then rethrows from inside its own catch block and the process dies in
// std::terminate; binding.gyp defines NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS so the error is dropped
// instead: the thread is going away and nobody can observe it.
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
