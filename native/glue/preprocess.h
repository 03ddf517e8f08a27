// Registration of the preprocessing calls (glue/preprocess.cc) on the addon's exports.
#pragma once

#include <napi.h>

#include "kernels/isa/kernels.h"

namespace quantkit {
namespace glue {

// Defines imageToTensor, quantizeEmbeddings and binarizeEmbeddings on `exports`, with the
// kernels of `level` and up to `threads` threads a call.
void RegisterPreprocess(Napi::Env env, Napi::Object exports, IsaLevel level, int threads);

}  // namespace glue
}  // namespace quantkit
