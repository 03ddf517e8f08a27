// Node-API glue for signed <-> unsigned codes: recode: unwrap -> check (native/args) -> call the kernels.
#include <napi.h>

#include "glue/addon.h"
#include "glue/common.h"
#include "args/recode_args.h"
#include "kernels/recode/recode.h"
#include "kernels/isa/split.h"

namespace quantkit::glue {


// recode(q, out, offset): out[i] = q[i] + offset, modulo 2^width, between the signed and
// the unsigned type of one width (kernels/recode/recode.h). out may be q's own memory.
Napi::Value QuantkitAddon::Recode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckArgCount(info, 3, "recode");
  const View q = QuantArray(info[0], "q");
  const View out = QuantArray(info[1], "out");
  int32_t offset = 0;
  Raise(env, quantkit::args::CheckRecode(q.span(), out.span(), NumberArg(info[2]), &offset));
  switch (q.type) {
    case quantkit::kI8:
      quantkit::RecodeCodes(static_cast<const int8_t*>(q.data), static_cast<uint8_t*>(out.data), q.length, offset);
      break;
    case quantkit::kU8:
      quantkit::RecodeCodes(static_cast<const uint8_t*>(q.data), static_cast<int8_t*>(out.data), q.length, offset);
      break;
    case quantkit::kI16:
      quantkit::RecodeCodes(static_cast<const int16_t*>(q.data), static_cast<uint16_t*>(out.data), q.length, offset);
      break;
    default:
      quantkit::RecodeCodes(static_cast<const uint16_t*>(q.data), static_cast<int16_t*>(out.data), q.length, offset);
      break;
  }
  return env.Undefined();
}

}  // namespace quantkit::glue
