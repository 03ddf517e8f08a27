// Registration of the preprocessing calls (glue/preprocess.cc) on the addon's exports.
#pragma once

#include <napi.h>

#include "ops/ops.h"

namespace quantkit {
namespace glue {

// Defines imageToTensor, quantizeEmbeddings and binarizeEmbeddings on `exports`, with the
// addon's kernel rows and threads (`ctx` lives as long as the addon instance: one of its members).
void RegisterPreprocess(Napi::Env env, Napi::Object exports, const ops::Context* ctx);

}  // namespace glue
}  // namespace quantkit
