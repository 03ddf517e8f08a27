// Node-API glue of the calibrate capability (calibrate.cc): registered on the addon's exports
// by addon.cc, with the kernel rows and thread count the addon picked at load (its ops::Context).
#pragma once

#include <napi.h>

#include "ops/ops.h"

namespace quantkit {
namespace glue {

// Defines errorStatsQuantize, errorStatsPair and histogramAdd on `exports`; `ctx` must live as
// long as the addon instance (it is one of its members).
void DefineCalibrate(Napi::Env env, Napi::Object exports, const ops::Context* ctx);

}  // namespace glue
}  // namespace quantkit
