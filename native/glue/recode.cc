// Node-API glue for signed <-> unsigned codes: recode: unwrap -> native/ops (check -> call the kernels).
#include <napi.h>

#include "glue/addon.h"
#include "glue/common.h"

namespace quantkit::glue {


// recode(q, out, offset): out[i] = q[i] + offset, modulo 2^width (ops/packed.cc). out may be q's own memory.
Napi::Value QuantkitAddon::Recode(const Napi::CallbackInfo& info) {
  CheckArgCount(info, 3, "recode");
  const View q = QuantArray(info[0], "q");
  const View out = QuantArray(info[1], "out");
  Raise(info.Env(), quantkit::ops::Recode(q.array(), out.array(), NumberArg(info[2])));
  return info.Env().Undefined();
}

}  // namespace quantkit::glue
